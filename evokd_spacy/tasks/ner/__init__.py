"""Named-entity tasks: analyse the student's entity errors, generate sentences, label entities."""
