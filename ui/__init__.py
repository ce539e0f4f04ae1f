"""Streamlit helpers shared by the pages: state, sidebar, banners, the wave board's widgets."""
