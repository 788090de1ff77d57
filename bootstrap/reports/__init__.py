"""Report writers for plans judged by the policy pack: terminal, Markdown, SARIF 2.1.0.

Each takes a list of plan dicts (DESIGN §6) so one report covers several environments.
"""
