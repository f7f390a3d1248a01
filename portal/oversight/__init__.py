"""The administrators' oversight of training bases: the annual base evaluation (考核)."""
