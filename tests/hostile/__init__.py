"""Attacks the centre must withstand, each reproduced through the HTTP routes as an attacker would make it."""
