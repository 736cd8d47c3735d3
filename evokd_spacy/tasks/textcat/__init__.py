"""Text-classification tasks: analyse the student, generate inputs, label them."""
