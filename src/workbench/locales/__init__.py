"""Locale modules: the report text of each domain, merged by workbench.i18n."""
