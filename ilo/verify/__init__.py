"""Verifier: AST → VerifiedProgram, or IloError carrying every diagnostic at once."""
