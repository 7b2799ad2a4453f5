"""belwatch: one register of everyone sanctioned over Belarus, with full listing history."""

__version__ = "0.1.0"
