/*
 * jsonpretty.c: indent JSON documents (one per input line) without
 * reinterpreting them: numbers keep their text (0.000 stays 0.000), keys
 * keep their order.  For docs/fields.md examples; trusts its input to be
 * valid JSON, as elbship's output is (checked elsewhere).
 */
#include <stdio.h>

static void
indent(int depth)
{
	putchar('\n');
	while (depth-- > 0)
		fputs("  ", stdout);
}

int
main(void)
{
	int c, depth = 0, instr = 0, esc = 0, empty;

	while ((c = getchar()) != EOF) {
		if (instr) {
			putchar(c);
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"')
				instr = 0;
			continue;
		}
		switch (c) {
		case '"':
			instr = 1;
			putchar(c);
			break;
		case '{':
		case '[':
			putchar(c);
			empty = getchar();
			if (empty == '}' || empty == ']') {
				putchar(empty);
				break;
			}
			ungetc(empty, stdin);
			indent(++depth);
			break;
		case '}':
		case ']':
			indent(--depth);
			putchar(c);
			break;
		case ',':
			putchar(c);
			indent(depth);
			break;
		case ':':
			fputs(": ", stdout);
			break;
		case '\n':
			putchar('\n');
			depth = 0;
			break;
		default:
			putchar(c);
		}
	}
	return 0;
}
