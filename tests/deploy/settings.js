#!/usr/bin/env node
/*
 * settings.js: the template's parameters against elbship's settings table,
 * the one that drives `elbship ship --help` (src/core/settings.c).
 *
 *   node settings.js TEMPLATE HELP-FILE SETTINGS-C
 *
 * HELP-FILE is the output of `elbship ship --help`.  Every parameter that
 * the function receives as an ELBSHIP_* variable (Function's Environment:
 * !If [Cond, !Ref PARAM, AWS::NoValue]) must
 *   - name a variable elbship reads (it is in --help) and name it in its
 *     Description;
 *   - give elbship's default as --help gives it: the help's "(default X)",
 *     "(default: X)", "X (default)" or, for the function, "the Lambda
 *     function's default: X" (cut at ';'), is written in the Description
 *     as "empty for the default (X)" (or "(WORD: X)" where the help says
 *     "WORD (default: X)"); a parameter whose variable has no default in
 *     --help claims none;
 *   - when its Description gives a range "(A-B)", have the table's
 *     [min, max] (seconds for a setting given in seconds);
 *   - list only values --help names (AllowedValues).
 * Prints one "ok"/"not ok - ..." line per parameter checked and a last line
 * "# N parameters, M with problems"; exit 1 if any has a problem.
 */
'use strict';

const fs = require('fs');
const V = require('./validate.js');

const norm = (s) => s.replace(/\s+/g, ' ').trim();

/* --help: ENV -> its help text (one line), from "[env X]" and "X=..." */
function helpEntries(text) {
	const out = new Map();
	let cur = null;
	const flush = () => {
		if (cur && cur.env)
			out.set(cur.env, norm(cur.lines.join(' ')));
		cur = null;
	};
	for (const line of text.split('\n')) {
		const head = /^ {2,6}(\S.*)$/.exec(line);
		const body = /^ {8,}(\S.*)$/.exec(line);
		if (head) {
			flush();
			const m = /^(ELBSHIP_[A-Z0-9_]+)=/.exec(head[1]);
			cur = { env: m ? m[1] : null, lines: [] };
		} else if (body && cur) {
			const e = /^\[env (\S+)\]$/.exec(body[1]);
			if (e)
				cur.env = e[1];
			else
				cur.lines.push(body[1]);
		} else {
			flush();
		}
	}
	flush();
	return out;
}

/* The text inside the parentheses opened at s[i] ("(" at i), or null. */
function paren(s, i) {
	let depth = 0;
	for (let j = i; j < s.length; j++) {
		if (s[j] === '(')
			depth++;
		else if (s[j] === ')' && --depth === 0)
			return s.slice(i + 1, j);
	}
	return null;
}

/* The default --help gives: {value, word} (word: "X" of "X (default: ...)"), or null. */
function helpDefault(h) {
	let m = /the Lambda function's default: ([^;)]+)/.exec(h);
	if (m)
		return { value: m[1].trim(), word: null };
	m = /(\S+) \(default\)/.exec(h);
	if (m)
		return { value: m[1], word: null };
	const i = h.indexOf('(default');
	if (i < 0)
		return null;
	const inner = paren(h, i);
	if (inner === null)
		return null;
	const before = /(\S+) $/.exec(h.slice(0, i));
	return { value: inner.replace(/^default:? /, '').split(';')[0].trim(),
		word: before ? before[1].replace(/,$/, '') : null };
}

/* "empty for the default (X)" in a Description: X, or null. */
function templateDefault(d) {
	const k = 'empty for the default (';
	const i = d.indexOf(k);
	return i < 0 ? null : paren(d, i + k.length - 1);
}

/* The settings table's [min, max] per variable, and whether it is in seconds. */
function tableRanges(src) {
	const out = new Map();
	const num = (e) => {
		const t = e.replace(/ULL|UL|LL|U|L/g, '').trim();
		if (!/^[0-9\s*+<()-]+$/.test(t))
			return null;
		return Function(`"use strict"; return (${t});`)();
	};
	const re = /"(ELBSHIP_[A-Z0-9_]+)",\s*(T_[A-Z]+),\s*(?:OFF\([^)]*\)|0),\s*([^,]+),\s*([^,]+),/g;
	for (const m of src.matchAll(re)) {
		const min = num(m[3]), max = num(m[4]);
		if (min === null || max === null)
			continue;
		const secs = m[2] === 'T_MS';
		out.set(m[1], { min: secs ? min / 1000 : min, max: secs ? max / 1000 : max, type: m[2] });
	}
	return out;
}

function problems(tpl, help, ranges) {
	const res = [];
	const env = ((((tpl.Resources || {}).Function || {}).Properties || {}).Environment || {}).Variables || {};
	for (const [e, v] of Object.entries(env)) {
		if (V.fnOf(v) !== 'Fn::If' || !Array.isArray(v['Fn::If']))
			continue;
		const ref = v['Fn::If'][1];
		if (V.fnOf(ref) !== 'Ref' || !(tpl.Parameters || {})[ref.Ref])
			continue;
		const name = ref.Ref, p = tpl.Parameters[name];
		const desc = norm(String(p.Description || ''));
		const bad = [];
		const h = help.get(e);
		if (h === undefined) {
			res.push({ name, e, bad: [`${e} is not in elbship ship --help`] });
			continue;
		}
		if (!desc.includes(e))
			bad.push(`its Description does not name ${e}`);
		const hd = helpDefault(h), td = templateDefault(desc);
		if (hd && td === null)
			bad.push(`--help gives the default "${hd.value}"; the Description does not say "empty for the default (${hd.value})"`);
		else if (hd && td !== hd.value && !(hd.word && td === `${hd.word}: ${hd.value}`))
			bad.push(`the Description says the default is "${td}", --help says "${hd.value}"`);
		else if (!hd && td !== null)
			bad.push(`the Description gives a default ("${td}") that --help does not`);
		const r = /\((\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)\)/.exec(desc), t = ranges.get(e);
		if (r && !t)
			bad.push(`the Description gives the range ${r[1]}-${r[2]}, the settings table none`);
		else if (r && (Number(r[1]) !== t.min || Number(r[2]) !== t.max))
			bad.push(`the Description gives the range ${r[1]}-${r[2]}, the settings table ${t.min}-${t.max}`);
		for (const a of p.AllowedValues || [])
			if (a !== '' && !new RegExp(`(^|[^A-Za-z0-9-])${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^A-Za-z0-9-])`).test(h))
				bad.push(`AllowedValues has "${a}", which --help does not name`);
		res.push({ name, e, bad, hd, td });
	}
	return res;
}

function main() {
	const [tplFile, helpFile, srcFile] = process.argv.slice(2);
	if (!srcFile) {
		process.stderr.write('usage: node settings.js TEMPLATE HELP-FILE SETTINGS-C\n');
		process.exit(2);
	}
	const tpl = V.loadTemplate(tplFile);
	const help = helpEntries(fs.readFileSync(helpFile, 'utf8'));
	const ranges = tableRanges(fs.readFileSync(srcFile, 'utf8'));
	if (help.size < 10) {
		console.log(`not ok - ${helpFile} does not look like elbship ship --help (${help.size} variables)`);
		process.exit(1);
	}
	const res = problems(tpl, help, ranges);
	let n = 0;
	for (const r of res) {
		if (r.bad.length === 0) {
			console.log(`ok - ${r.name} (${r.e})${r.hd ? `: default "${r.hd.value}"` : ''}`);
		} else {
			n++;
			console.log(`not ok - ${r.name} (${r.e}): ${r.bad.join('; ')}`);
		}
	}
	console.log(`# ${res.length} parameters, ${n} with problems`);
	process.exit(n || res.length === 0 ? 1 : 0);
}

if (require.main === module)
	main();

module.exports = { helpEntries, helpDefault, templateDefault, tableRanges, problems };
