"""The headless core of Studio: workspace, rendering, checks, DNS, sending, sink.

Nothing under ``studio.core`` imports Textual, Rich or Click (a test enforces it):
the CLI and the TUI are thin layers on top.
"""
