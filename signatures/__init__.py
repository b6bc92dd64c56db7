import sys

# Like app/__init__.py: no .pyc files from tools that import the signatures package first.
sys.dont_write_bytecode = True
