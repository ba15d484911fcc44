/**
 * `true` only when A and B are the same type. Used to pin this library's value lists to the
 * types of other libraries, so adding a status or a seat elsewhere fails to compile here.
 */
export type SameType<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
