// Package cxscript renders the subset of Carerix CxScript that document
// templates use to embed partner pages: HTML passes through unchanged and
// cx: elements are executed against a Resolver that supplies key-path
// values such as activity.toEmployee.employeeID.
//
// # Supported elements
//
//	<cx:write value="$path"/>                      write a value (HTML-escaped)
//	<cx:let name="v" value="..." [expand="1"]/>    bind a variable
//	<cx:let name="v" condition="..." iftrue="..." iffalse="..."/>
//	<cx:if condition="..." [not="1"]>...</cx:if> [<cx:else>...</cx:else>]
//	<cx:foreach list="$list" [item="i"] [index="n"] [count="10" batch="0"]>...</cx:foreach>
//	<cx:element tag="iframe"><cx:parameter name="src" value="$u"/>...</cx:element>
//
// Any other cx: element, and any attribute not listed, is refused by Parse
// with an *Error naming the line, so a template that relies on CxScript
// features the emulator lacks fails loudly instead of rendering wrongly.
//
// # Confirmed by Carerix documentation
//
//   - CxScript is XML embedded in HTML; elements are <cx:name attr="v">
//     with content and a closing tag, or the short form <cx:name .../>.
//   - cx:write writes a value; cx:let binds a variable that is available
//     up to its closing tag, with expand="1" interpolating ${...}, and
//     condition/iftrue/iffalse choosing between two values; cx:foreach
//     repeats its content per list item with item, index (from 0), count
//     and batch, default variables $item and $index, and accepts a
//     constant list such as ("first", "second", "last"); cx:if runs its
//     content when condition holds, not="..." inverts it, and a cx:else
//     after it runs otherwise; cx:element builds an element whose
//     attributes come from cx:parameter children.
//   - An attribute value that is a $variable or $key.path is resolved;
//     anything else is a constant. In conditions variables are written
//     without $; conditions use comparison operators, nil, AND, OR, NOT
//     and parentheses, with precedence NOT, AND, OR.
//   - Key paths such as $activity.toEmployee.employeeID,
//     $activity.owner.userID and $utilities.userDefaults.Customer.
//   - Which templates a user sees is governed by the template's user
//     roles; that check belongs to the caller, not to this package.
//
// # Assumptions (verify against a real tenant)
//
//   - cx:write and cx:parameter HTML-escape their values (& < > " ').
//     Carerix may write raw values; escaping is the safe reading.
//   - The pseudo-key .urlEncoded at the end of a path
//     (${activity.toEmployee.employeeID.urlEncoded}) percent-encodes the
//     value like JavaScript's encodeURIComponent (space as %20). Carerix's
//     real mechanism for URL encoding is not documented.
//   - A self-closing <cx:let .../> binds its variable for the rest of the
//     enclosing element (needed for the documented "build a URL, then
//     cx:element" pattern); every element with content opens a scope.
//   - A cx:let bound to a key path ($activity.toEmployee) acts as an alias,
//     so $e.firstName resolves activity.toEmployee.firstName.
//   - Unknown paths render as the empty string; RenderWithOptions reports
//     them in Result.Unresolved (paths inside conditions count as nil and
//     are not reported). Options.Strict makes them errors.
//   - Element and attribute names are matched case-insensitively;
//     attribute values must be quoted and their entities are decoded.
//     HTML comments and CDATA sections are passed through without
//     looking for cx: elements inside them.
//   - The list variable userRoles holds the viewing user's roles; in a
//     condition a list matches =, like and ordering operators when any
//     item matches, and != when no item equals. A written list is
//     joined with ", ". A Resolver value in property-list form "(a, b)"
//     is a list for cx:foreach; $list.@count is the item count.
//   - Condition operands compare as numbers when both parse as numbers,
//     otherwise as strings; like uses * and ? wildcards. A lone operand
//     is true when it is non-empty and not 0, false or NO.
//   - cx:element writes void elements (img, br, input, ...) without a
//     closing tag, drops blank content, rejects tag names that are not
//     plain HTML names and parameter names that are not attribute names;
//     a repeated parameter replaces the earlier value.
//   - Output is capped (Options.MaxOutput) and so is the work done
//     (Options.MaxSteps), so hostile templates cannot exhaust memory.
package cxscript
