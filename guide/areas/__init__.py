"""The organisation's list of areas (bydeler, skolekretser): names, other spellings, neighbours."""
