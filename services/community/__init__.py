"""The community half of the services app: the point-order menu and its orders, micro-wishes, housekeeper projects."""
