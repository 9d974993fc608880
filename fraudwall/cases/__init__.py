"""Cases: see the module list below."""
