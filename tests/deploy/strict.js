#!/usr/bin/env node
/*
 * strict.js: read a CloudFormation template (YAML) the way other tools
 * will, and refuse what they would read differently.
 *
 *   node strict.js TEMPLATE...     "TEMPLATE: ..." per template, the
 *                                  problems one per line; exit 0 if all are
 *                                  clean, 1 if not, 2 on a usage problem
 *
 * Why: YAML that CloudFormation accepts can still mean something else than
 * it says.  `Label: {default: Sink (A / B, or C)}` is valid YAML, but the
 * comma ends the flow mapping's first entry: PyYAML, js-yaml, cfn-lint
 * (E4001) and the `yaml` package all read two keys, "default" and
 * "or C)" with a null value.  So:
 *
 *   1. js-yaml (the parser of most JavaScript tooling, AWS's CDK included)
 *      loads it with CloudFormation's short tags (!Ref, !Sub, !GetAtt...)
 *      and duplicate keys refused;
 *   2. the `yaml` package (validate.js's parser) loads it too, and both
 *      must give the same value, node for node (no construct whose meaning
 *      depends on the parser: timestamps, YAML 1.1 booleans, octals...);
 *   3. no value is null: CloudFormation has no use for one, and a null is
 *      what a stray ", " or ": " in a plain scalar leaves behind;
 *   4. the console's AWS::CloudFormation::Interface: every parameter
 *      group's Label and every ParameterLabels entry is exactly
 *      {default: STRING}, every group has a Parameters list of strings.
 */
'use strict';

const fs = require('fs');
const jsyaml = require('js-yaml');
const V = require('./validate.js');

const SHORT_FNS = ['Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'If',
	'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'Length',
	'ToJsonString', 'Equals', 'And', 'Or', 'Not', 'Contains',
	'EachMemberEquals', 'EachMemberIn', 'RefAll', 'ValueOf', 'ValueOfAll'];

/* CloudFormation's short tags as js-yaml types, built as validate.js
 * builds them for the `yaml` package (so that the two results compare). */
function cfnSchema() {
	const types = [];
	for (const f of SHORT_FNS) {
		const key = 'Fn::' + f;
		types.push(new jsyaml.Type('!' + f, {
			kind: 'scalar',
			construct: (s) => {
				if (f === 'GetAtt') {
					const i = s.indexOf('.');
					return { [key]: i < 0 ? [s] : [s.slice(0, i), s.slice(i + 1)] };
				}
				return { [key]: s };
			},
		}));
		for (const kind of ['sequence', 'mapping'])
			types.push(new jsyaml.Type('!' + f, { kind, construct: (v) => ({ [key]: v }) }));
	}
	types.push(new jsyaml.Type('!Ref', { kind: 'scalar', construct: (s) => ({ Ref: s }) }));
	types.push(new jsyaml.Type('!Condition', { kind: 'scalar', construct: (s) => ({ Condition: s }) }));
	return jsyaml.DEFAULT_SCHEMA.extend(types);
}

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/* Where two values differ, as a path; null if they are the same. */
function diff(a, b, where) {
	if (a === b)
		return null;
	if (a instanceof Date || b instanceof Date)
		return `${where}: ${a instanceof Date ? 'a timestamp' : JSON.stringify(a)} for js-yaml, ` +
		    `${b instanceof Date ? 'a timestamp' : JSON.stringify(b)} for yaml`;
	if (Array.isArray(a) && Array.isArray(b)) {
		if (a.length !== b.length)
			return `${where}: ${a.length} items for js-yaml, ${b.length} for yaml`;
		for (let i = 0; i < a.length; i++) {
			const d = diff(a[i], b[i], `${where}[${i}]`);
			if (d)
				return d;
		}
		return null;
	}
	if (isObj(a) && isObj(b)) {
		const ka = Object.keys(a), kb = Object.keys(b);
		for (const k of ka)
			if (!(k in b))
				return `${where}.${k}: only js-yaml reads this key`;
		for (const k of kb)
			if (!(k in a))
				return `${where}.${k}: only yaml reads this key`;
		for (const k of ka) {
			const d = diff(a[k], b[k], `${where}.${k}`);
			if (d)
				return d;
		}
		return null;
	}
	return `${where}: ${JSON.stringify(a)} for js-yaml, ${JSON.stringify(b)} for yaml`;
}

function nulls(v, where, out) {
	if (v === null || v === undefined) {
		out.push(`${where}: null (a stray ", " or ": " in an unquoted value? quote it)`);
	} else if (Array.isArray(v)) {
		v.forEach((x, i) => nulls(x, `${where}[${i}]`, out));
	} else if (isObj(v)) {
		for (const [k, x] of Object.entries(v))
			nulls(x, `${where}.${k}`, out);
	}
	return out;
}

function consoleInterface(t) {
	const bad = [];
	const ui = (t.Metadata || {})['AWS::CloudFormation::Interface'];
	if (ui === undefined)
		return bad;
	const label = (v, where) => {
		if (!isObj(v) || Object.keys(v).length !== 1 || typeof v.default !== 'string')
			bad.push(`${where}: ${JSON.stringify(v)} is not {default: STRING}`);
	};
	(ui.ParameterGroups || []).forEach((g, i) => {
		const where = `Metadata.AWS::CloudFormation::Interface.ParameterGroups[${i}]`;
		if (!isObj(g)) {
			bad.push(`${where}: not a mapping`);
			return;
		}
		for (const k of Object.keys(g))
			if (k !== 'Label' && k !== 'Parameters')
				bad.push(`${where}.${k}: not a parameter group key`);
		label(g.Label, `${where}.Label`);
		if (!Array.isArray(g.Parameters) || !g.Parameters.every((p) => typeof p === 'string'))
			bad.push(`${where}.Parameters: not a list of names`);
	});
	for (const [p, l] of Object.entries(ui.ParameterLabels || {}))
		label(l, `Metadata.AWS::CloudFormation::Interface.ParameterLabels.${p}`);
	return bad;
}

/* The problems of one template's text (empty: clean). */
function problems(text, name) {
	let a, b;
	try {
		a = jsyaml.load(text, { schema: cfnSchema(), filename: name });
	} catch (e) {
		return [`js-yaml: ${e.message.split('\n')[0]}`];
	}
	try {
		b = V.parseTemplate(text, name);
	} catch (e) {
		return [e.message.split('\n')[0]];
	}
	const out = [];
	const d = diff(a, b, '');
	if (d)
		out.push(`js-yaml and yaml read it differently: ${d.replace(/^\./, '')}`);
	for (const n of nulls(a, '', []))
		out.push(n.replace(/^\./, ''));
	return out.concat(consoleInterface(a));
}

function main() {
	const files = process.argv.slice(2);
	if (files.length === 0) {
		process.stderr.write('usage: node strict.js TEMPLATE...\n');
		process.exit(2);
	}
	let bad = 0;
	for (const f of files) {
		let text;
		try {
			text = fs.readFileSync(f, 'utf8');
		} catch (e) {
			process.stderr.write(`${f}: ${e.message}\n`);
			process.exit(2);
		}
		const p = problems(text, f);
		if (p.length === 0) {
			console.log(`${f}: js-yaml and yaml agree, no null, console labels well formed`);
		} else {
			bad++;
			for (const x of p)
				console.log(`${f}: ${x}`);
			console.log(`${f}: ${p.length} problem(s)`);
		}
	}
	process.exit(bad ? 1 : 0);
}

if (require.main === module)
	main();

module.exports = { problems, cfnSchema };
