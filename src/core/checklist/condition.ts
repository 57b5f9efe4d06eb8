/**
 * Conditions on steps and phases (`when:`, `required_when:`): a small expression language over
 * the run's parameters, read by a hand-written tokenizer and parser (never `eval`).
 *
 *   expr   := or
 *   or     := and ("or" and)*
 *   and    := not ("and" not)*
 *   not    := "not" not | cmp
 *   cmp    := value (("==" | "!=" | "<" | "<=" | ">" | ">=") value | "in" list)?  | "(" expr ")"
 *   list   := "[" value ("," value)* "]"
 *   value  := name | number | "quoted string" | bare-word | true | false
 *
 * A name is a parameter; a bare word on the right of a comparison (`env == prod`, `env in [qa,
 * stage]`) is text. Values are compared as the parameters hold them: text, numbers as numbers
 * when both sides are numbers. A bare parameter (`destructive`) means `destructive == true`.
 */
import { own } from "../own.js";

export type Value = { kind: "name"; name: string } | { kind: "literal"; value: string };

export type Condition =
  | { kind: "or" | "and"; left: Condition; right: Condition }
  | { kind: "not"; operand: Condition }
  | { kind: "compare"; op: CompareOp; left: Value; right: Value }
  | { kind: "in"; left: Value; values: Value[] }
  | { kind: "truthy"; value: Value };

export type CompareOp = "==" | "!=" | "<" | "<=" | ">" | ">=";

type Token =
  | { type: "word"; text: string; at: number }
  | { type: "string"; text: string; at: number }
  | { type: "op"; text: string; at: number }
  | { type: "end"; text: ""; at: number };

export type ParsedCondition = { ok: true; condition: Condition } | { ok: false; message: string };

const MAX_LENGTH = 500;
const KEYWORDS = new Set(["and", "or", "not", "in"]);

function tokenize(source: string): Token[] | string {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '"' || c === "'") {
      const close = source.indexOf(c, i + 1);
      if (close < 0) return `the quote at position ${i + 1} is not closed`;
      tokens.push({ type: "string", text: source.slice(i + 1, close), at: i });
      i = close + 1;
    } else if (/[A-Za-z0-9_.-]/.test(c)) {
      const match = /^[A-Za-z0-9_.-]+/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ type: "word", text: match[0], at: i });
      i += match[0].length;
    } else {
      const two = source.slice(i, i + 2);
      if (["==", "!=", "<=", ">="].includes(two)) {
        tokens.push({ type: "op", text: two, at: i });
        i += 2;
      } else if ("<>()[],".includes(c)) {
        tokens.push({ type: "op", text: c, at: i });
        i += 1;
      } else if (c === "=") {
        return `"=" at position ${i + 1}: compare with == (or !=)`;
      } else {
        return `"${c}" at position ${i + 1} is not part of a condition`;
      }
    }
  }
  tokens.push({ type: "end", text: "", at: source.length });
  return tokens;
}

class ConditionError extends Error {}

/** Parses a condition; the message of a failure says what was wrong and what is accepted. */
export function parseCondition(source: string): ParsedCondition {
  if (source.trim() === "") return { ok: false, message: "the condition is empty" };
  if (source.length > MAX_LENGTH) return { ok: false, message: `at most ${MAX_LENGTH} characters` };
  const tokens = tokenize(source);
  if (typeof tokens === "string") return { ok: false, message: tokens };
  let pos = 0;
  const peek = () => tokens[pos] as Token;
  const next = () => tokens[pos++] as Token;
  const fail = (token: Token, expected: string): never => {
    const seen = token.type === "end" ? "the end" : `"${token.text}" at position ${token.at + 1}`;
    throw new ConditionError(`expected ${expected}, found ${seen}`);
  };
  const isWord = (token: Token, word: string) => token.type === "word" && token.text === word;

  const value = (): Value => {
    const token = next();
    if (token.type === "string") return { kind: "literal", value: token.text };
    if (token.type !== "word" || KEYWORDS.has(token.text)) return fail(token, "a parameter or a value");
    return /^[a-z][a-z0-9_]*$/.test(token.text) && token.text !== "true" && token.text !== "false"
      ? { kind: "name", name: token.text }
      : { kind: "literal", value: token.text };
  };
  /** Right of a comparison, a bare word is text (`env == prod`) unless it is a parameter. */
  const operand = (): Value => value();

  const comparison = (): Condition => {
    if (peek().type === "op" && peek().text === "(") {
      next();
      const inner = or();
      const close = next();
      if (close.text !== ")" || close.type !== "op") fail(close, '")"');
      return inner;
    }
    const left = value();
    const token = peek();
    if (token.type === "op" && ["==", "!=", "<", "<=", ">", ">="].includes(token.text)) {
      next();
      return { kind: "compare", op: token.text as CompareOp, left, right: operand() };
    }
    if (isWord(token, "in")) {
      next();
      const open = next();
      if (open.text !== "[") fail(open, '"[" starting a list such as [qa, prod]');
      const values = [operand()];
      while (peek().text === ",") {
        next();
        values.push(operand());
      }
      const close = next();
      if (close.text !== "]") fail(close, '"," or "]"');
      return { kind: "in", left, values };
    }
    return { kind: "truthy", value: left };
  };
  const not = (): Condition => {
    if (isWord(peek(), "not")) {
      next();
      return { kind: "not", operand: not() };
    }
    return comparison();
  };
  const and = (): Condition => {
    let left = not();
    while (isWord(peek(), "and")) {
      next();
      left = { kind: "and", left, right: not() };
    }
    return left;
  };
  const or = (): Condition => {
    let left = and();
    while (isWord(peek(), "or")) {
      next();
      left = { kind: "or", left, right: and() };
    }
    return left;
  };

  try {
    const condition = or();
    if (peek().type !== "end") fail(peek(), '"and", "or" or the end of the condition');
    return { ok: true, condition };
  } catch (error) {
    if (error instanceof ConditionError) return { ok: false, message: error.message };
    throw error;
  }
}

/** Parameter names a condition reads, to check them against the checklist's parameters. */
export function conditionNames(condition: Condition): string[] {
  const names = (value: Value) => (value.kind === "name" ? [value.name] : []);
  switch (condition.kind) {
    case "or":
    case "and":
      return [...conditionNames(condition.left), ...conditionNames(condition.right)];
    case "not":
      return conditionNames(condition.operand);
    case "compare":
      return [...names(condition.left), ...names(condition.right)];
    case "in":
      return [...names(condition.left), ...condition.values.flatMap(names)];
    case "truthy":
      return names(condition.value);
  }
}

/**
 * Which bare words are parameters: only names the checklist declares. Everything else on the
 * right of a comparison is text, so `env == prod` reads prod as the word.
 */
export function resolveNames(condition: Condition, parameters: ReadonlySet<string>): Condition {
  const fix = (value: Value): Value =>
    value.kind === "name" && !parameters.has(value.name) ? { kind: "literal", value: value.name } : value;
  switch (condition.kind) {
    case "or":
    case "and":
      return {
        ...condition,
        left: resolveNames(condition.left, parameters),
        right: resolveNames(condition.right, parameters),
      };
    case "not":
      return { ...condition, operand: resolveNames(condition.operand, parameters) };
    case "compare":
      return { ...condition, right: fix(condition.right) };
    case "in":
      return { ...condition, values: condition.values.map(fix) };
    case "truthy":
      return condition;
  }
}

/** Evaluates a parsed condition over the run's parameter values. */
export function evaluateCondition(condition: Condition, params: Readonly<Record<string, string>>): boolean {
  const read = (value: Value) => (value.kind === "name" ? (own(params, value.name) ?? "") : value.value);
  switch (condition.kind) {
    case "or":
      return evaluateCondition(condition.left, params) || evaluateCondition(condition.right, params);
    case "and":
      return evaluateCondition(condition.left, params) && evaluateCondition(condition.right, params);
    case "not":
      return !evaluateCondition(condition.operand, params);
    case "truthy":
      return read(condition.value) === "true";
    case "in": {
      const left = read(condition.left);
      return condition.values.some((value) => read(value) === left);
    }
    case "compare":
      return compare(condition.op, read(condition.left), read(condition.right));
  }
}

function compare(op: CompareOp, left: string, right: string): boolean {
  const numeric = isNumber(left) && isNumber(right);
  const a: string | number = numeric ? Number(left) : left;
  const b: string | number = numeric ? Number(right) : right;
  switch (op) {
    case "==":
      return a === b;
    case "!=":
      return a !== b;
    case "<":
      return a < b;
    case "<=":
      return a <= b;
    case ">":
      return a > b;
    case ">=":
      return a >= b;
  }
}

const isNumber = (text: string) => text.trim() !== "" && Number.isFinite(Number(text));

/** Parses, resolves and evaluates; a condition the checklist validation accepted always parses. */
export function conditionHolds(source: string, params: Readonly<Record<string, string>>): boolean {
  const parsed = parseCondition(source);
  if (!parsed.ok) throw new Error(`invalid condition "${source}": ${parsed.message}`);
  return evaluateCondition(resolveNames(parsed.condition, new Set(Object.keys(params))), params);
}
