/** Text and LaTeX forms of expressions. The text form parses back to the same expression. */
import { ExpressionTooLargeError } from './errors.js';
import type { CompareOp, Condition, Expr } from './expression.js';
import { children, memoized, type Node } from './structure.js';

/**
 * Largest expression, counted as a tree (every shared sub-expression as often as it occurs), that
 * `toText` and `toLatex` write out: a derivative shares sub-expressions that text must repeat.
 */
export const PRINT_LIMIT = 20_000;

function checkPrintable(e: Expr, what: string): void {
  const size = memoized<Node, number>((node, self) =>
    children(node).reduce((total, c) => total + self(c), 1),
  )(e);
  if (size > PRINT_LIMIT) {
    throw new ExpressionTooLargeError(
      'print',
      PRINT_LIMIT,
      `This expression written out as ${what} would repeat its shared parts to ${size > 1e15 ? 'more than 10^15' : Math.round(size)} terms; the limit is ${PRINT_LIMIT} (PRINT_LIMIT). Show a smaller expression, or evaluate it instead of printing it.`,
    );
  }
}

const TEXT_COMPARE: Record<CompareOp, string> = {
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
  eq: '==',
  ne: '!=',
};
const LATEX_COMPARE: Record<CompareOp, string> = {
  lt: '<',
  le: '\\le',
  gt: '>',
  ge: '\\ge',
  eq: '=',
  ne: '\\ne',
};

// precedence: higher binds tighter
const P_SELECT = 0;
const P_COMPARE = 1;
const P_ADD = 2;
const P_MUL = 3;
const P_NEG = 4;
const P_POW = 5;
const P_ATOM = 6;

function precedence(e: Expr): number {
  switch (e.kind) {
    case 'const':
      return e.value < 0 || Object.is(e.value, -0) ? P_NEG : P_ATOM;
    case 'input':
    case 'param':
      return P_ATOM;
    case 'unary':
      return e.op === 'neg' ? P_NEG : P_ATOM;
    case 'binary':
      return e.op === 'add' || e.op === 'sub'
        ? P_ADD
        : e.op === 'mul' || e.op === 'div'
          ? P_MUL
          : P_ATOM;
    case 'powi':
      return P_POW;
    case 'select':
      return P_SELECT;
  }
}

function formatNumber(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return 'inf';
  if (v === Number.NEGATIVE_INFINITY) return '-inf';
  if (Number.isNaN(v)) return 'nan';
  if (Object.is(v, -0)) return '-0';
  return String(v);
}

/**
 * The text form of an expression, in the syntax `parseExpression` reads.
 *
 * @example toText(mul(x, sigmoid(mul(1.702, x)))) // 'x * sigmoid(1.702 * x)'
 */
export function toText(e: Expr): string {
  checkPrintable(e, 'text');
  return text(e);
}

function text(e: Expr): string {
  const toText = text;
  const wrap = (child: Expr, min: number) =>
    precedence(child) < min ? `(${toText(child)})` : toText(child);
  switch (e.kind) {
    case 'const':
      return formatNumber(e.value);
    case 'input':
      return 'x';
    case 'param':
      return e.name;
    case 'unary':
      return e.op === 'neg' ? `-${wrap(e.arg, P_NEG + 1)}` : `${e.op}(${toText(e.arg)})`;
    case 'binary':
      switch (e.op) {
        case 'add':
          return `${wrap(e.left, P_ADD)} + ${wrap(e.right, P_ADD + 1)}`;
        case 'sub':
          return `${wrap(e.left, P_ADD)} - ${wrap(e.right, P_ADD + 1)}`;
        case 'mul':
          return `${wrap(e.left, P_MUL)} * ${wrap(e.right, P_MUL + 1)}`;
        case 'div':
          return `${wrap(e.left, P_MUL)} / ${wrap(e.right, P_MUL + 1)}`;
        default:
          return `${e.op}(${toText(e.left)}, ${toText(e.right)})`;
      }
    case 'powi':
      return `${wrap(e.base, P_ATOM)}^${e.exponent < 0 ? `(${e.exponent})` : e.exponent}`;
    case 'select':
      return `${conditionText(e.cond)} ? ${wrap(e.ifTrue, P_SELECT + 1)} : ${toText(e.ifFalse)}`;
  }
}

function conditionText(c: Condition): string {
  const side = (child: Expr) => (precedence(child) <= P_COMPARE ? `(${text(child)})` : text(child));
  return `${side(c.left)} ${TEXT_COMPARE[c.op]} ${side(c.right)}`;
}

const GREEK = new Set([
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'lambda',
  'mu',
  'sigma',
  'tau',
  'theta',
  'kappa',
]);

function latexName(name: string): string {
  if (GREEK.has(name)) return `\\${name}`;
  return name.length === 1 ? name : `\\mathit{${name}}`;
}

function latexNumber(v: number): string {
  if (v === Number.POSITIVE_INFINITY) return '\\infty';
  if (v === Number.NEGATIVE_INFINITY) return '-\\infty';
  if (Number.isNaN(v)) return '\\mathrm{NaN}';
  const text = String(v);
  const m = /^(-?[\d.]+)e([+-]\d+)$/.exec(text);
  return m ? `${m[1]} \\times 10^{${Number(m[2])}}` : text;
}

const LATEX_FUNCTION: Partial<Record<string, string>> = {
  tanh: '\\tanh',
  sin: '\\sin',
  cos: '\\cos',
  log: '\\ln',
  erf: '\\operatorname{erf}',
  erfc: '\\operatorname{erfc}',
  sign: '\\operatorname{sign}',
  sigmoid: '\\sigma',
  softplus: '\\operatorname{softplus}',
};

/**
 * The LaTeX form of an expression, for rendering with KaTeX or MathJax.
 *
 * @example toLatex(div(1, add(1, exp(neg(x))))) // '\\frac{1}{1 + e^{-x}}'
 */
export function toLatex(e: Expr): string {
  checkPrintable(e, 'LaTeX');
  return latex(e);
}

function latex(e: Expr): string {
  const toLatex = latex;
  const wrap = (child: Expr, min: number) =>
    precedence(child) < min ? `\\left(${toLatex(child)}\\right)` : toLatex(child);
  switch (e.kind) {
    case 'const':
      return latexNumber(e.value);
    case 'input':
      return 'x';
    case 'param':
      return latexName(e.name);
    case 'unary': {
      const arg = toLatex(e.arg);
      switch (e.op) {
        case 'neg':
          return `-${wrap(e.arg, P_NEG + 1)}`;
        case 'abs':
          return `\\left|${arg}\\right|`;
        case 'exp':
          return `e^{${arg}}`;
        case 'expm1':
          return `\\left(e^{${arg}} - 1\\right)`;
        case 'log1p':
          return `\\ln\\left(1 + ${arg}\\right)`;
        case 'sqrt':
          return `\\sqrt{${arg}}`;
        default:
          return `${LATEX_FUNCTION[e.op]}\\left(${arg}\\right)`;
      }
    }
    case 'binary':
      switch (e.op) {
        case 'add':
          return `${wrap(e.left, P_ADD)} + ${wrap(e.right, P_ADD + 1)}`;
        case 'sub':
          return `${wrap(e.left, P_ADD)} - ${wrap(e.right, P_ADD + 1)}`;
        case 'mul': {
          const left = wrap(e.left, P_MUL);
          const right = wrap(e.right, P_MUL + 1);
          return e.left.kind === 'const' && /^[a-z\\]/i.test(right)
            ? `${left} ${right}`
            : `${left} \\cdot ${right}`;
        }
        case 'div':
          return `\\frac{${toLatex(e.left)}}{${toLatex(e.right)}}`;
        default:
          return `\\${e.op}\\left(${toLatex(e.left)}, ${toLatex(e.right)}\\right)`;
      }
    case 'powi':
      return `{${wrap(e.base, P_ATOM)}}^{${e.exponent}}`;
    case 'select':
      return `\\begin{cases} ${toLatex(e.ifTrue)} & \\text{if } ${conditionLatex(e.cond)} \\\\ ${toLatex(e.ifFalse)} & \\text{otherwise} \\end{cases}`;
  }
}

function conditionLatex(c: Condition): string {
  return `${latex(c.left)} ${LATEX_COMPARE[c.op]} ${latex(c.right)}`;
}
