"""Documents people read, built from the chain's events: monthly reports (CSV + chart), retirement
certificates (HTML + PDF) and the registry export (issuances and retirements as CSV).

Each module reads what it needs through `jcredit.history` and renders it; the renderers take
records already read and never talk to the chain themselves.
"""
