"""CloudFormation: stacks, change sets and the template engine that builds millpond resources from them."""
