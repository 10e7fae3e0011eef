"""AWS behaviour, one package per service: thin providers over small domain modules."""
