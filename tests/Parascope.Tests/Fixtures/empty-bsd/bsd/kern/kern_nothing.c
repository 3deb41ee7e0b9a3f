/*
 * A BSD file with nothing a Xen port must change: identifiers named like
 * instructions are ordinary C.
 */
struct cli { int str; };

static int in = 0;  // ok: x86.port-io

int
cli_count(struct cli *cli)
{
	int hlt = cli->str + in;	/* hlt, cli and str are just names */
	return hlt;
}
