"""IT service management platform (ISO/IEC 20000-1, ITSS)."""
