"""Provider-side validation offline: Azure resources against Microsoft's ARM schemas.

documents.py  the vendored schema extracts, prepared for literal values (data/)
body.py       azure-native inputs -> the ARM request body the provider sends
validate.py   compiled validators per type and API version; problems in SDK input names
sdk.py        what the pinned SDK says: the API version per type, its input names

The rule that runs it is policies/rules/provider_schema.py (control ARM-SCH-01).
"""
