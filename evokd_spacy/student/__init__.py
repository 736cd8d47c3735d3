"""The spaCy student: training configs, training, prediction and evaluation."""
