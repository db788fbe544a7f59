"""Customer success (客户成功) for subscription and B2B businesses."""
