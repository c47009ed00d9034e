/** Token figures the windows show. */
import type { TokenCounts } from "../api";
import { TOKEN_TOTAL_OF } from "../api/generated";

/** Every type added up, as the app's `TokenCounts::total` adds them (the list of types comes from Rust). */
export function tokenTotal(tokens: TokenCounts): number {
  return TOKEN_TOTAL_OF.reduce((sum, kind) => sum + tokens[kind], 0);
}
