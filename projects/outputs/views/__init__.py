"""Pages of research outputs: the outputs section of a project (``project``) and the
staff's list of every output (``staff``)."""
