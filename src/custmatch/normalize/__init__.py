"""Normalisation of Dutch customer data: names, addresses, phones, e-mail, dates, codes."""
