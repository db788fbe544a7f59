"""workbench: notebook-based analysis workbench for customer operations."""
__version__ = "0.1.0"
