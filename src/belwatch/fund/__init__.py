"""The democracy fund: programmes, applications and cases, money, and the controls that keep
applicants safe (field encryption, need-to-know, a hash-chained audit log, MFA)."""
