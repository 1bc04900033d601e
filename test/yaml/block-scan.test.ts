/**
 * The line scanners both block-YAML readers share: what each says about the lines YAML makes hard
 * (tabs, comments glued to text, markers followed by text, quotes that do not close).
 */
import { describe, expect, it } from "vitest";
import {
  BLANK_LINE,
  blockScalarHeader,
  canStartPlain,
  COMMENT_LINE,
  commentStart,
  CONTENT_LINE,
  documentMarker,
  holdsMappingColon,
  isItemDash,
  lineKind,
  plainKeyColon,
  quotedEnd,
  restIsComment,
  skipBlanks,
  skipSpaces,
} from "../../src/yaml/block-scan.js";
import { Unsure, unsure } from "../../src/yaml/unsure.js";

const whole = (text: string) => [text, 0, text.length] as const;

describe("block-YAML line scanners", () => {
  it("measures indentation in spaces, and blanks with tabs apart", () => {
    expect(skipSpaces("   a", 0, 4)).toBe(3);
    expect(skipSpaces("  \ta", 0, 4)).toBe(2);
    expect(skipBlanks("  \ta", 0, 4)).toBe(3);
    expect(skipSpaces("    ", 1, 3)).toBe(3);
  });

  it("tells content, blank and comment lines, tabs counting as blanks only when asked", () => {
    expect(lineKind(...whole("  a: 1"), false)).toBe(CONTENT_LINE);
    expect(lineKind(...whole("   "), false)).toBe(BLANK_LINE);
    expect(lineKind(...whole("  # note"), false)).toBe(COMMENT_LINE);
    expect(lineKind(...whole(" \t# note"), false)).toBe(CONTENT_LINE);
    expect(lineKind(...whole(" \t# note"), true)).toBe(COMMENT_LINE);
    expect(lineKind(...whole("\t"), true)).toBe(BLANK_LINE);
  });

  it("reads a dash as an item only before a blank or the end of the line", () => {
    expect(isItemDash(...whole("- a"))).toBe(true);
    expect(isItemDash(...whole("-"))).toBe(true);
    expect(isItemDash(...whole("-\ta"))).toBe(true);
    expect(isItemDash(...whole("-1"))).toBe(false);
    expect(isItemDash("  - a", 2, 5)).toBe(true);
  });

  it("accepts after a value only blanks and a comment that a blank precedes", () => {
    expect(restIsComment('"a"   ', 3, 6, false)).toBe(true);
    expect(restIsComment('"a" # c', 3, 7, false)).toBe(true);
    expect(restIsComment('"a"# c', 3, 6, false)).toBe(false);
    expect(restIsComment('"a" x', 3, 5, false)).toBe(false);
    expect(restIsComment('"a"\t# c', 3, 7, false)).toBe(false);
    expect(restIsComment('"a"\t# c', 3, 7, true)).toBe(true);
  });

  it("finds a comment only where a blank precedes its #", () => {
    expect(commentStart(...whole("a#b # c"))).toBe(4);
    expect(commentStart(...whole("a\t# c"))).toBe(2);
    expect(commentStart(...whole("a#b"))).toBe(3);
  });

  it("reads --- and ... as markers only when a blank or the end of the line follows", () => {
    expect(documentMarker(...whole("---"))).toBe("---");
    expect(documentMarker(...whole("--- # doc"))).toBe("---");
    expect(documentMarker(...whole("...\t"))).toBe("...");
    expect(documentMarker(...whole("---x"))).toBeUndefined();
    expect(documentMarker(...whole("--"))).toBeUndefined();
    expect(documentMarker(...whole("-- -"))).toBeUndefined();
  });

  it("finds the colon of a plain key, and no key behind indicators, item dashes or comments", () => {
    expect(plainKeyColon(...whole("name: a"))).toBe(4);
    expect(plainKeyColon(...whole("name:"))).toBe(4);
    expect(plainKeyColon(...whole("a:b: c"))).toBe(3);
    expect(plainKeyColon(...whole("8080: x"))).toBe(4);
    expect(plainKeyColon(...whole("k:\tv"))).toBe(1);
    expect(plainKeyColon("  - k: v", 4, 8)).toBe(5);
    expect(plainKeyColon(...whole("- k: v"))).toBe(-1);
    expect(plainKeyColon(...whole("-k: v"))).toBe(2);
    expect(plainKeyColon(...whole("&a k: v"))).toBe(-1);
    expect(plainKeyColon(...whole('"k": v'))).toBe(-1);
    expect(plainKeyColon(...whole("a #b: c"))).toBe(-1);
    expect(plainKeyColon(...whole("a#b: c"))).toBe(3);
    expect(plainKeyColon(...whole("http://x"))).toBe(-1);
  });

  it("finds where a quoted scalar closes, over escapes and doubled quotes, or that it does not", () => {
    expect(quotedEnd(...whole('"a\\"b" x'))).toBe(6);
    expect(quotedEnd(...whole("'it''s' x"))).toBe(7);
    expect(quotedEnd(...whole('"a\\\\" x'))).toBe(5);
    expect(quotedEnd(...whole('"open'))).toBe(-1);
    expect(quotedEnd(...whole('"ends in \\"'))).toBe(-1);
    expect(quotedEnd('"a\n b" c', 0, 8)).toBe(6);
    expect(quotedEnd('"a\n b" c', 0, 3)).toBe(-1);
  });

  it("reads a block scalar header's chomping and indentation indicators in either order, once each", () => {
    expect(blockScalarHeader(...whole("|"))).toEqual({ folded: false, chomp: "", explicit: 0, next: 1 });
    expect(blockScalarHeader(...whole(">-"))).toEqual({ folded: true, chomp: "-", explicit: 0, next: 2 });
    expect(blockScalarHeader(...whole("|2+ # c"))).toEqual({ folded: false, chomp: "+", explicit: 2, next: 3 });
    expect(blockScalarHeader(...whole("|+2"))).toEqual({ folded: false, chomp: "+", explicit: 2, next: 3 });
    expect(blockScalarHeader(...whole("|+-")).next).toBe(2);
    expect(blockScalarHeader(...whole("|0")).next).toBe(1);
  });

  it("starts a plain scalar with no indicator, and with - ? : only when text follows them", () => {
    expect(canStartPlain(...whole("web"))).toBe(true);
    expect(canStartPlain(...whole("-1"))).toBe(true);
    expect(canStartPlain(...whole(":x"))).toBe(true);
    expect(canStartPlain(...whole("- x"))).toBe(false);
    expect(canStartPlain(...whole("?"))).toBe(false);
    expect(canStartPlain(...whole(":\tx"))).toBe(false);
    for (const indicator of ["%x", "@x", "`x", ",x", "]", "}", "#x"]) expect(canStartPlain(...whole(indicator)), indicator).toBe(false);
  });

  it("sees a mapping in a plain scalar only at a colon that a blank or the end follows", () => {
    expect(holdsMappingColon("http://x")).toBe(false);
    expect(holdsMappingColon("a: b")).toBe(true);
    expect(holdsMappingColon("a:\tb")).toBe(true);
    expect(holdsMappingColon("a:")).toBe(true);
  });

  it("gives up with the one Unsure error readers catch", () => {
    expect(() => unsure()).toThrow(Unsure);
  });
});
