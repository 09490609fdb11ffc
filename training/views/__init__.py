"""Training pages: the public agenda, the attendee's, the trainer's and the staff's."""
