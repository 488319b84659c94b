"""The commands behind `python starter.py` (CONTRACT.md, "Storefront and ops commands").

starter.py parses the arguments; each module here holds one family of commands.
Exit codes: 0 success, 2 invalid input, 3 refused by business rules, 1 anything else.
"""
