/* Reads "A<TAB>B" lines and prints how apk-tools orders them: "<", "=", ">".
 * Linked against src/version.c of an apk-tools source tree (APK_TOOLS_SRC)
 * by scripts/version-differential.sh; nothing of apk-tools is kept here. */
#include <stdio.h>
#include <string.h>
#include "apk_version.h"

int main(void)
{
	char line[4096];
	while (fgets(line, sizeof line, stdin)) {
		char *nl = strchr(line, '\n');
		if (nl) *nl = 0;
		char *tab = strchr(line, '\t');
		if (!tab) { puts("invalid"); continue; }
		*tab = 0;
		int r = apk_version_compare(line, tab + 1);
		puts(r == APK_VERSION_LESS ? "<" : r == APK_VERSION_GREATER ? ">" : "=");
	}
	return 0;
}
