"""The dashboard's pages: app.py runs each file by its path through st.navigation.

This file makes pages/ a package only so that the architecture contracts (import-linter, in
pyproject.toml) check its imports; Streamlit does not import it.
"""
