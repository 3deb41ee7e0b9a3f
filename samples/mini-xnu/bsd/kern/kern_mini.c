/*
 * mini-xnu: BSD code with nothing a Xen port must change.
 * Identifiers named like instructions (cli, str, in, out, hlt) are ordinary C.
 * Original code for Parascope's sample tree.
 */
#include <stddef.h>

struct cli_state {
	int	in;
	int	out;
	char	*str;
};

static const char *hlt_reason = "cli then hlt";	/* a string, not asm */

int
cli_bytes(const struct cli_state *cli)
{
	int hlt = cli->in - cli->out;
	return hlt > 0 ? hlt : 0;
}

const char *
cli_reason(void)
{
	return hlt_reason;
}
