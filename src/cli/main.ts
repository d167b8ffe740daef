// Entry point of the `recordflow` command; the subcommands land here as they are built.
console.log('recordflow: the CLI is being built');
