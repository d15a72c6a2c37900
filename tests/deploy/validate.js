#!/usr/bin/env node
/*
 * validate.js: check a CloudFormation template (YAML or JSON) against AWS's
 * published resource specification, as shipped in npm's
 * @aws-cdk/aws-service-spec (db.json.gz: every resource type, its
 * properties with their shapes and required flags, its attributes).
 *
 *   node validate.js TEMPLATE...     prints "ok"/errors per template;
 *                                    exit 0 if all are valid, 1 if not,
 *                                    2 on a usage or loading problem
 *
 * What is checked:
 *   - the template's sections, parameters (types, keys, defaults against
 *     AllowedValues / AllowedPattern / MinValue / MaxValue / lengths),
 *     conditions (condition functions only, names defined, no cycles),
 *     rules, mappings, outputs, and resource attributes (DependsOn,
 *     Condition, DeletionPolicy...);
 *   - every resource type exists in the specification; every property is
 *     a known property of its type (with a "did you mean" for typos) and
 *     has the right shape - string, number, integer, boolean, list, map,
 *     tag, or a nested property type, recursively; unions and earlier
 *     shapes the specification still accepts; enumerated values when
 *     given literally; required properties present;
 *   - intrinsic functions (Ref, Fn::GetAtt, Fn::Sub, Fn::If, Fn::Join,
 *     Fn::Select, Fn::Split, Fn::FindInMap, Fn::GetAZs, Fn::ImportValue,
 *     Fn::Base64, Fn::Cidr, Condition, Fn::Equals/And/Or/Not and the rule
 *     functions) are accepted where a value is expected, with their
 *     arguments checked and their result checked against the expected
 *     shape (a Ref is never an object, Fn::Split is a list...); Fn::If
 *     checks both branches against the expected shape;
 *   - every Ref, Fn::GetAtt and ${} in Fn::Sub names a parameter, a resource
 *     or a pseudo parameter, GetAtt attributes exist on the type, mapping
 *     keys exist when literal, condition names exist;
 *   - IAM policy documents (typed only as JSON by the specification):
 *     Version, statement elements, Effect, Action/NotAction, action names,
 *     condition operators;
 *   - a reference to (or DependsOn on) a resource that has a Condition is
 *     made only where that condition holds (the resource's own Condition,
 *     or an enclosing Fn::If on it), since CloudFormation fails with
 *     "Unresolved resource dependencies" otherwise.
 *
 * The YAML is read with the `yaml` package and CloudFormation's short tags
 * (!Ref, !Sub, !GetAtt, !If, ...) registered as custom tags.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const YAML = require('yaml');

/* ---- YAML with CloudFormation short tags ---------------------------------- */

const SHORT_FNS = ['Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'If',
	'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'Transform', 'Length',
	'ToJsonString', 'Equals', 'And', 'Or', 'Not', 'Contains',
	'EachMemberEquals', 'EachMemberIn', 'RefAll', 'ValueOf', 'ValueOfAll'];

function cfnTags() {
	const tags = [];
	const wrap = (key, v) => ({ [key]: v });

	for (const f of SHORT_FNS) {
		const key = 'Fn::' + f;
		tags.push({
			tag: '!' + f,
			resolve: (s) => {
				if (f === 'GetAtt') {
					const i = s.indexOf('.');
					return wrap(key, i < 0 ? [s] :
					    [s.slice(0, i), s.slice(i + 1)]);
				}
				return wrap(key, s);
			},
		});
		tags.push({ tag: '!' + f, collection: 'seq',
			resolve: (s) => wrap(key, s.toJSON()) });
		tags.push({ tag: '!' + f, collection: 'map',
			resolve: (s) => wrap(key, s.toJSON()) });
	}
	tags.push({ tag: '!Ref', resolve: (s) => ({ Ref: s }) });
	tags.push({ tag: '!Condition', resolve: (s) => ({ Condition: s }) });
	return tags;
}

/** Parse a template's text; throws with the parser's messages on bad YAML. */
function parseTemplate(text, name) {
	const trimmed = text.trimStart();
	if (trimmed.startsWith('{'))
		return JSON.parse(text);
	const doc = YAML.parseDocument(text, {
		customTags: cfnTags(),
		uniqueKeys: true,
		prettyErrors: true,
	});
	if (doc.errors.length > 0)
		throw new Error(`${name}: YAML: ` +
		    doc.errors.map((e) => e.message).join('; '));
	return doc.toJS({ maxAliasCount: 100 });
}

function loadTemplate(file) {
	return parseTemplate(fs.readFileSync(file, 'utf8'), file);
}

/* ---- the specification ---------------------------------------------------- */

function specPaths() {
	const pkg = require.resolve('@aws-cdk/aws-service-spec/package.json');
	const dir = path.dirname(pkg);
	return { dir, db: path.join(dir, 'db.json.gz'),
		version: JSON.parse(fs.readFileSync(pkg, 'utf8')).version };
}

function loadSpec() {
	const p = specPaths();
	const db = JSON.parse(zlib.gunzipSync(fs.readFileSync(p.db)));
	const resources = new Map();
	const types = new Map();

	for (const r of db.schema.resource.entities)
		resources.set(r.cloudFormationType, r);
	for (const t of db.schema.typeDefinition.entities)
		types.set(t.$id, t);
	return { resources, types, version: p.version, file: p.db };
}

/* ---- helpers --------------------------------------------------------------- */

const PSEUDO = new Set(['AWS::AccountId', 'AWS::NotificationARNs',
	'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId',
	'AWS::StackName', 'AWS::URLSuffix']);

const INTRINSICS = new Set(['Ref', 'Fn::Base64', 'Fn::Cidr', 'Fn::FindInMap',
	'Fn::GetAtt', 'Fn::GetAZs', 'Fn::If', 'Fn::ImportValue', 'Fn::Join',
	'Fn::Select', 'Fn::Split', 'Fn::Sub', 'Fn::Transform', 'Fn::Length',
	'Fn::ToJsonString']);
const CONDITION_FNS = new Set(['Fn::Equals', 'Fn::And', 'Fn::Or', 'Fn::Not']);
const RULE_FNS = new Set(['Fn::Contains', 'Fn::EachMemberEquals',
	'Fn::EachMemberIn', 'Fn::RefAll', 'Fn::ValueOf', 'Fn::ValueOfAll']);
const LANGUAGE_EXTENSIONS = new Set(['Fn::Length', 'Fn::ToJsonString']);

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The intrinsic function of a value, or null: a one-key object whose key is
 *  Ref or Fn::*, or {Condition: name} where ${withCondition}. */
function fnOf(v, withCondition) {
	if (!isObj(v))
		return null;
	const keys = Object.keys(v);
	if (keys.length !== 1)
		return null;
	const k = keys[0];
	if (k === 'Ref' || k.startsWith('Fn::'))
		return k;
	if (withCondition && k === 'Condition' && typeof v[k] === 'string')
		return k;
	return null;
}

const isNoValue = (v) => isObj(v) && fnOf(v) === 'Ref' && v.Ref === 'AWS::NoValue';

function describe(v) {
	if (v === null)
		return 'null';
	if (Array.isArray(v))
		return 'a list';
	if (isObj(v)) {
		const f = fnOf(v);
		return f ? f : 'an object';
	}
	return `${typeof v} ${JSON.stringify(v)}`;
}

/* Levenshtein distance, for "did you mean". */
function distance(a, b) {
	a = a.toLowerCase();
	b = b.toLowerCase();
	const d = Array.from({ length: a.length + 1 }, (_, i) => [i]);
	for (let j = 1; j <= b.length; j++)
		d[0][j] = j;
	for (let i = 1; i <= a.length; i++)
		for (let j = 1; j <= b.length; j++)
			d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1,
			    d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
	return d[a.length][b.length];
}

function suggest(name, candidates) {
	let best = null;
	let bd = Infinity;
	for (const c of candidates) {
		const dd = distance(name, c);
		if (dd < bd) {
			bd = dd;
			best = c;
		}
	}
	return best !== null && bd <= Math.max(2, Math.floor(name.length / 3)) ?
	    ` (did you mean ${best}?)` : '';
}

/** Variables of an Fn::Sub string: names inside ${...}, not ${!...}. */
function subVariables(s) {
	const out = [];
	const re = /\$\{([^}]*)\}/g;
	let m;
	while ((m = re.exec(s)) !== null) {
		if (m[1].startsWith('!'))
			continue;
		out.push(m[1].trim());
	}
	return out;
}

/* ---- the validator ----------------------------------------------------------- */

const SECTIONS = new Set(['AWSTemplateFormatVersion', 'Description',
	'Metadata', 'Parameters', 'Rules', 'Mappings', 'Conditions', 'Transform',
	'Resources', 'Outputs']);
const PARAM_KEYS = new Set(['Type', 'Default', 'Description', 'AllowedValues',
	'AllowedPattern', 'MinValue', 'MaxValue', 'MinLength', 'MaxLength',
	'ConstraintDescription', 'NoEcho']);
const RESOURCE_KEYS = new Set(['Type', 'Properties', 'DependsOn', 'Condition',
	'Metadata', 'DeletionPolicy', 'UpdateReplacePolicy', 'UpdatePolicy',
	'CreationPolicy']);
const OUTPUT_KEYS = new Set(['Value', 'Description', 'Export', 'Condition']);
const POLICIES = new Set(['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot']);
const POLICY_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal',
	'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);
const CONDITION_OPERATORS = new Set(['StringEquals', 'StringNotEquals',
	'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike',
	'StringNotLike', 'NumericEquals', 'NumericNotEquals', 'NumericLessThan',
	'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals',
	'DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals',
	'DateGreaterThan', 'DateGreaterThanEquals', 'Bool', 'BinaryEquals',
	'IpAddress', 'NotIpAddress', 'ArnEquals', 'ArnLike', 'ArnNotEquals',
	'ArnNotLike', 'Null']);
const PARAM_TYPES = /^(String|Number|List<Number>|CommaDelimitedList|AWS::[A-Za-z0-9:]+|List<AWS::[A-Za-z0-9:]+>|AWS::SSM::Parameter::Value<.+>|AWS::SSM::Parameter::Name)$/;

class Validator {
	constructor(tpl, spec) {
		this.t = tpl;
		this.spec = spec;
		this.errors = [];
		this.params = isObj(tpl.Parameters) ? tpl.Parameters : {};
		this.resources = isObj(tpl.Resources) ? tpl.Resources : {};
		this.conditions = isObj(tpl.Conditions) ? tpl.Conditions : {};
		this.mappings = isObj(tpl.Mappings) ? tpl.Mappings : {};
		const tr = tpl.Transform;
		this.transforms = new Set(Array.isArray(tr) ? tr : tr ? [tr] : []);
	}

	err(where, msg) {
		this.errors.push(`${where}: ${msg}`);
	}

	run() {
		const t = this.t;
		if (!isObj(t)) {
			this.err('template', 'not a mapping');
			return this.errors;
		}
		for (const k of Object.keys(t))
			if (!SECTIONS.has(k))
				this.err(k, `unknown top-level section${suggest(k, SECTIONS)}`);
		if (t.AWSTemplateFormatVersion !== undefined &&
		    t.AWSTemplateFormatVersion !== '2010-09-09')
			this.err('AWSTemplateFormatVersion', 'must be the string "2010-09-09"');
		if (t.Description !== undefined && (typeof t.Description !== 'string' ||
		    t.Description.length > 1024))
			this.err('Description', 'must be a string of at most 1024 characters');
		if (!isObj(t.Resources) || Object.keys(t.Resources).length === 0)
			this.err('Resources', 'required, with at least one resource');
		this.checkParameters();
		this.checkMappings();
		this.checkConditions();
		this.checkRules();
		this.checkResources();
		this.checkOutputs();
		return this.errors;
	}

	/* ---- Parameters ---- */
	checkParameters() {
		const names = Object.keys(this.params);
		if (names.length > 200)
			this.err('Parameters', `${names.length} parameters, at most 200`);
		for (const [name, p] of Object.entries(this.params)) {
			const w = `Parameters.${name}`;
			if (!/^[A-Za-z0-9]{1,255}$/.test(name))
				this.err(w, 'logical id must be alphanumeric');
			if (this.resources[name] !== undefined)
				this.err(w, 'same name as a resource');
			if (!isObj(p)) {
				this.err(w, 'must be a mapping');
				continue;
			}
			for (const k of Object.keys(p))
				if (!PARAM_KEYS.has(k))
					this.err(`${w}.${k}`, `unknown parameter attribute${suggest(k, PARAM_KEYS)}`);
			if (typeof p.Type !== 'string' || !PARAM_TYPES.test(p.Type)) {
				this.err(`${w}.Type`, `missing or unknown type ${JSON.stringify(p.Type)}`);
				continue;
			}
			if (p.Description !== undefined && (typeof p.Description !== 'string' ||
			    p.Description.length > 4000))
				this.err(`${w}.Description`, 'must be a string of at most 4000 characters');
			let re = null;
			if (p.AllowedPattern !== undefined) {
				try {
					re = new RegExp(`^(?:${p.AllowedPattern})$`);
				} catch (e) {
					this.err(`${w}.AllowedPattern`, `not a regular expression: ${e.message}`);
				}
			}
			if (p.AllowedValues !== undefined && !Array.isArray(p.AllowedValues))
				this.err(`${w}.AllowedValues`, 'must be a list');
			const numeric = p.Type === 'Number' || p.Type === 'List<Number>';
			for (const k of ['MinValue', 'MaxValue'])
				if (p[k] !== undefined && (!numeric || !isFinite(Number(p[k]))))
					this.err(`${w}.${k}`, 'only for Number parameters, and a number');
			for (const k of ['MinLength', 'MaxLength'])
				if (p[k] !== undefined && (p.Type !== 'String' || !Number.isInteger(Number(p[k]))))
					this.err(`${w}.${k}`, 'only for String parameters, and an integer');
			if (p.Default === undefined)
				continue;
			const list = p.Type === 'CommaDelimitedList' || p.Type.startsWith('List<');
			const d = p.Default;
			if (typeof d !== 'string' && typeof d !== 'number') {
				this.err(`${w}.Default`, `must be a scalar, got ${describe(d)}`);
				continue;
			}
			const values = list ? String(d).split(',') : [String(d)];
			for (const v of values) {
				if (p.AllowedValues !== undefined && Array.isArray(p.AllowedValues) &&
				    !p.AllowedValues.map(String).includes(v))
					this.err(`${w}.Default`, `${JSON.stringify(v)} is not in AllowedValues`);
				if (re && !re.test(v))
					this.err(`${w}.Default`, `${JSON.stringify(v)} does not match AllowedPattern`);
				if (numeric) {
					if (v.trim() === '' || !isFinite(Number(v)))
						this.err(`${w}.Default`, `${JSON.stringify(v)} is not a number`);
					else if ((p.MinValue !== undefined && Number(v) < Number(p.MinValue)) ||
					    (p.MaxValue !== undefined && Number(v) > Number(p.MaxValue)))
						this.err(`${w}.Default`, `${v} is outside MinValue..MaxValue`);
				}
				if (p.Type === 'String' && ((p.MinLength !== undefined && v.length < p.MinLength) ||
				    (p.MaxLength !== undefined && v.length > p.MaxLength)))
					this.err(`${w}.Default`, `length ${v.length} is outside MinLength..MaxLength`);
			}
			if (Array.isArray(p.AllowedValues) && re)
				for (const v of p.AllowedValues)
					if (!re.test(String(v)))
						this.err(`${w}.AllowedValues`, `${JSON.stringify(v)} does not match AllowedPattern`);
		}
	}

	/* ---- Mappings ---- */
	checkMappings() {
		for (const [m, top] of Object.entries(this.mappings)) {
			if (!isObj(top)) {
				this.err(`Mappings.${m}`, 'must be a mapping of mappings');
				continue;
			}
			for (const [k1, second] of Object.entries(top)) {
				if (!/^[A-Za-z0-9.:_-]+$/.test(k1))
					this.err(`Mappings.${m}.${k1}`, 'key must be alphanumeric (and - . _ :)');
				if (!isObj(second)) {
					this.err(`Mappings.${m}.${k1}`, 'must be a mapping');
					continue;
				}
				for (const [k2, v] of Object.entries(second)) {
					const ok = typeof v === 'string' || typeof v === 'number' ||
					    typeof v === 'boolean' || (Array.isArray(v) &&
					    v.every((x) => typeof x === 'string' || typeof x === 'number'));
					if (!ok)
						this.err(`Mappings.${m}.${k1}.${k2}`, 'must be a literal string or list of strings');
				}
			}
		}
	}

	/* ---- Conditions ---- */
	checkConditions() {
		for (const [name, c] of Object.entries(this.conditions))
			this.checkConditionExpr(c, `Conditions.${name}`);
		/* cycles */
		const state = new Map();
		const visit = (n, trail) => {
			if (state.get(n) === 2)
				return;
			if (state.get(n) === 1) {
				this.err(`Conditions.${n}`, `circular: ${trail.concat(n).join(' -> ')}`);
				return;
			}
			state.set(n, 1);
			for (const d of this.conditionDeps(this.conditions[n]))
				if (this.conditions[d] !== undefined)
					visit(d, trail.concat(n));
			state.set(n, 2);
		};
		for (const n of Object.keys(this.conditions))
			visit(n, []);
	}

	conditionDeps(v, out = new Set()) {
		if (Array.isArray(v))
			v.forEach((x) => this.conditionDeps(x, out));
		else if (isObj(v)) {
			if (fnOf(v, true) === 'Condition')
				out.add(v.Condition);
			else
				Object.values(v).forEach((x) => this.conditionDeps(x, out));
		}
		return out;
	}

	/* A condition function (top of a condition, or an argument of And/Or/Not). */
	checkConditionExpr(c, w) {
		const f = fnOf(c, true);
		if (f === 'Condition') {
			if (this.conditions[c.Condition] === undefined)
				this.err(w, `unknown condition ${c.Condition}${suggest(c.Condition, Object.keys(this.conditions))}`);
			return;
		}
		if (!CONDITION_FNS.has(f)) {
			this.err(w, `expected a condition function (Fn::Equals, Fn::And, Fn::Or, Fn::Not, Condition), got ${describe(c)}`);
			return;
		}
		const a = c[f];
		if (!Array.isArray(a)) {
			this.err(`${w}.${f}`, 'arguments must be a list');
			return;
		}
		if (f === 'Fn::Equals') {
			if (a.length !== 2)
				this.err(`${w}.${f}`, 'takes exactly 2 values');
			a.forEach((x, i) => this.checkExpr(x, `${w}.${f}[${i}]`, { where: 'condition' }));
		} else if (f === 'Fn::Not') {
			if (a.length !== 1)
				this.err(`${w}.${f}`, 'takes exactly 1 condition');
			a.forEach((x, i) => this.checkConditionExpr(x, `${w}.${f}[${i}]`));
		} else {
			if (a.length < 2 || a.length > 10)
				this.err(`${w}.${f}`, `takes 2 to 10 conditions, got ${a.length}`);
			a.forEach((x, i) => this.checkConditionExpr(x, `${w}.${f}[${i}]`));
		}
	}

	/* ---- Rules ---- */
	checkRules() {
		const rules = this.t.Rules;
		if (rules === undefined)
			return;
		if (!isObj(rules)) {
			this.err('Rules', 'must be a mapping');
			return;
		}
		for (const [name, r] of Object.entries(rules)) {
			const w = `Rules.${name}`;
			if (!isObj(r)) {
				this.err(w, 'must be a mapping');
				continue;
			}
			for (const k of Object.keys(r))
				if (k !== 'RuleCondition' && k !== 'Assertions')
					this.err(`${w}.${k}`, 'unknown rule attribute');
			if (r.RuleCondition !== undefined)
				this.checkRuleExpr(r.RuleCondition, `${w}.RuleCondition`);
			if (!Array.isArray(r.Assertions) || r.Assertions.length === 0) {
				this.err(`${w}.Assertions`, 'required, a non-empty list');
				continue;
			}
			r.Assertions.forEach((a, i) => {
				const aw = `${w}.Assertions[${i}]`;
				if (!isObj(a) || a.Assert === undefined) {
					this.err(aw, 'needs Assert');
					return;
				}
				for (const k of Object.keys(a))
					if (k !== 'Assert' && k !== 'AssertDescription')
						this.err(`${aw}.${k}`, 'unknown assertion attribute');
				this.checkRuleExpr(a.Assert, `${aw}.Assert`);
			});
		}
	}

	checkRuleExpr(v, w) {
		const f = fnOf(v);
		if (f === 'Ref') {
			if (this.params[v.Ref] === undefined && !PSEUDO.has(v.Ref))
				this.err(w, `Ref to ${v.Ref}: rules can only refer to parameters${suggest(v.Ref, Object.keys(this.params))}`);
			return;
		}
		if (f === null) {
			if (Array.isArray(v))
				v.forEach((x, i) => this.checkRuleExpr(x, `${w}[${i}]`));
			else if (isObj(v))
				this.err(w, 'expected a rule function');
			return;
		}
		if (!CONDITION_FNS.has(f) && !RULE_FNS.has(f)) {
			this.err(w, `${f} is not a rule function`);
			return;
		}
		const a = v[f];
		if (f === 'Fn::ValueOf' || f === 'Fn::ValueOfAll' || f === 'Fn::RefAll') {
			return;
		}
		if (!Array.isArray(a)) {
			this.err(`${w}.${f}`, 'arguments must be a list');
			return;
		}
		const want = { 'Fn::Equals': 2, 'Fn::Not': 1, 'Fn::Contains': 2,
			'Fn::EachMemberEquals': 2, 'Fn::EachMemberIn': 2 }[f];
		if (want !== undefined && a.length !== want)
			this.err(`${w}.${f}`, `takes exactly ${want} arguments, got ${a.length}`);
		if ((f === 'Fn::And' || f === 'Fn::Or') && (a.length < 2 || a.length > 10))
			this.err(`${w}.${f}`, `takes 2 to 10 conditions, got ${a.length}`);
		a.forEach((x, i) => this.checkRuleExpr(x, `${w}.${f}[${i}]`));
	}

	/* ---- Resources ---- */
	checkResources() {
		const n = Object.keys(this.resources).length;
		if (n > 500)
			this.err('Resources', `${n} resources, at most 500`);
		for (const [name, r] of Object.entries(this.resources)) {
			const w = `Resources.${name}`;
			if (!/^[A-Za-z0-9]{1,255}$/.test(name))
				this.err(w, 'logical id must be alphanumeric');
			if (!isObj(r)) {
				this.err(w, 'must be a mapping');
				continue;
			}
			for (const k of Object.keys(r))
				if (!RESOURCE_KEYS.has(k))
					this.err(`${w}.${k}`, `unknown resource attribute${suggest(k, RESOURCE_KEYS)}`);
			for (const k of ['DeletionPolicy', 'UpdateReplacePolicy'])
				if (r[k] !== undefined && !POLICIES.has(r[k]))
					this.err(`${w}.${k}`, `must be one of ${[...POLICIES].join(', ')}`);
			const ctx = { where: 'resource', self: name, conds: r.Condition ? [r.Condition] : [] };
			if (r.Condition !== undefined && (typeof r.Condition !== 'string' ||
			    this.conditions[r.Condition] === undefined))
				this.err(`${w}.Condition`, `unknown condition ${JSON.stringify(r.Condition)}${suggest(String(r.Condition), Object.keys(this.conditions))}`);
			if (r.DependsOn !== undefined) {
				const deps = typeof r.DependsOn === 'string' ? [r.DependsOn] :
				    Array.isArray(r.DependsOn) ? r.DependsOn : null;
				if (deps === null || !deps.every((d) => typeof d === 'string'))
					this.err(`${w}.DependsOn`, 'must be a string or a list of strings (no functions)');
				else
					for (const d of deps) {
						if (d === name)
							this.err(`${w}.DependsOn`, 'depends on itself');
						else if (this.resources[d] === undefined)
							this.err(`${w}.DependsOn`, `unknown resource ${d}${suggest(d, Object.keys(this.resources))}`);
						else
							this.checkConditional(d, `${w}.DependsOn`, ctx);
					}
			}
			if (r.Metadata !== undefined)
				this.checkExpr(r.Metadata, `${w}.Metadata`, ctx);
			if (typeof r.Type !== 'string') {
				this.err(`${w}.Type`, 'required, a string');
				continue;
			}
			if (r.Properties !== undefined)
				this.checkExpr(r.Properties, `${w}.Properties`, ctx);
			if (r.Type.startsWith('Custom::') || r.Type === 'AWS::CloudFormation::CustomResource') {
				if (!isObj(r.Properties) || r.Properties.ServiceToken === undefined)
					this.err(`${w}.Properties`, 'a custom resource needs ServiceToken');
				continue;
			}
			const rt = this.spec.resources.get(r.Type);
			if (rt === undefined) {
				this.err(`${w}.Type`, `unknown resource type ${r.Type}${suggest(r.Type, this.spec.resources.keys())}`);
				continue;
			}
			const props = r.Properties === undefined ? {} : r.Properties;
			if (!isObj(props) || fnOf(props)) {
				this.err(`${w}.Properties`, `must be a mapping, got ${describe(props)}`);
				continue;
			}
			this.checkObject(props, rt.properties, `${w}.Properties`, r.Type);
			this.findPolicies(props, `${w}.Properties`);
		}
	}

	/* ---- IAM policy documents (the specification types them as JSON) ---- */
	findPolicies(v, w) {
		if (Array.isArray(v)) {
			v.forEach((x, i) => this.findPolicies(x, `${w}[${i}]`));
			return;
		}
		if (!isObj(v))
			return;
		if (fnOf(v) === 'Fn::If') {
			const a = v['Fn::If'];
			if (Array.isArray(a))
				a.slice(1).forEach((x, i) => this.findPolicies(x, `${w}.Fn::If[${i + 1}]`));
			return;
		}
		if (fnOf(v))
			return;
		for (const [k, x] of Object.entries(v)) {
			if (/PolicyDocument$/.test(k) && isObj(x) && !fnOf(x))
				this.checkPolicy(x, `${w}.${k}`);
			else
				this.findPolicies(x, `${w}.${k}`);
		}
	}

	checkPolicy(doc, w) {
		for (const k of Object.keys(doc))
			if (!POLICY_KEYS.has(k))
				this.err(`${w}.${k}`, `unknown policy element${suggest(k, POLICY_KEYS)}`);
		if (doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17')
			this.err(`${w}.Version`, `must be the string "2012-10-17", got ${describe(doc.Version)}`);
		const st = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? null : [doc.Statement];
		if (st === null || st.length === 0) {
			this.err(`${w}.Statement`, 'required');
			return;
		}
		const one = (s, sw) => {
			if (fnOf(s) === 'Fn::If') {
				const a = s['Fn::If'];
				if (Array.isArray(a))
					a.slice(1).forEach((x, i) => isNoValue(x) || one(x, `${sw}.Fn::If[${i + 1}]`));
				return;
			}
			if (!isObj(s) || fnOf(s)) {
				this.err(sw, `a statement must be a mapping, got ${describe(s)}`);
				return;
			}
			for (const k of Object.keys(s))
				if (!STATEMENT_KEYS.has(k))
					this.err(`${sw}.${k}`, `unknown statement element${suggest(k, STATEMENT_KEYS)}`);
			if (s.Effect !== 'Allow' && s.Effect !== 'Deny')
				this.err(`${sw}.Effect`, `must be Allow or Deny, got ${describe(s.Effect)}`);
			if ((s.Action === undefined) === (s.NotAction === undefined))
				this.err(sw, 'needs exactly one of Action and NotAction');
			if (s.Resource !== undefined && s.NotResource !== undefined)
				this.err(sw, 'has both Resource and NotResource');
			for (const k of ['Action', 'NotAction']) {
				if (s[k] === undefined)
					continue;
				const acts = Array.isArray(s[k]) ? s[k] : [s[k]];
				acts.forEach((a, i) => {
					if (typeof a === 'string' && a !== '*' && !/^[a-z0-9-]+:[A-Za-z0-9*?]+$/.test(a))
						this.err(`${sw}.${k}[${i}]`, `not an action: ${JSON.stringify(a)}`);
				});
			}
			if (s.Condition !== undefined) {
				if (!isObj(s.Condition) || fnOf(s.Condition))
					this.err(`${sw}.Condition`, 'must be a mapping of operators');
				else
					for (const [op, m] of Object.entries(s.Condition)) {
						const base = op.replace(/^(ForAllValues|ForAnyValue):/, '').replace(/IfExists$/, '');
						if (!CONDITION_OPERATORS.has(base))
							this.err(`${sw}.Condition.${op}`, `unknown condition operator${suggest(base, CONDITION_OPERATORS)}`);
						if (!isObj(m) || fnOf(m))
							this.err(`${sw}.Condition.${op}`, 'must map condition keys to values');
					}
			}
		};
		st.forEach((s, i) => one(s, `${w}.Statement[${i}]`));
	}

	/* ---- Outputs ---- */
	checkOutputs() {
		const outs = this.t.Outputs;
		if (outs === undefined)
			return;
		if (!isObj(outs)) {
			this.err('Outputs', 'must be a mapping');
			return;
		}
		if (Object.keys(outs).length > 200)
			this.err('Outputs', 'at most 200 outputs');
		for (const [name, o] of Object.entries(outs)) {
			const w = `Outputs.${name}`;
			if (!isObj(o) || o.Value === undefined) {
				this.err(w, 'needs Value');
				continue;
			}
			for (const k of Object.keys(o))
				if (!OUTPUT_KEYS.has(k))
					this.err(`${w}.${k}`, `unknown output attribute${suggest(k, OUTPUT_KEYS)}`);
			if (o.Condition !== undefined && this.conditions[o.Condition] === undefined)
				this.err(`${w}.Condition`, `unknown condition ${o.Condition}`);
			const ctx = { where: 'output', conds: o.Condition ? [o.Condition] : [] };
			this.checkExpr(o.Value, `${w}.Value`, ctx);
			if (isObj(o.Value) && !fnOf(o.Value))
				this.err(`${w}.Value`, 'must be a string or a function returning one');
			if (o.Export !== undefined)
				this.checkExpr(o.Export, `${w}.Export`, ctx);
		}
	}

	/* ---- intrinsic functions and references (anywhere) ---- */

	/* Does the context (the resource's Condition, enclosing Fn::If true
	 * branches) imply condition ${c}?  Follows Fn::And and Condition. */
	implies(conds, c) {
		const seen = new Set();
		const holds = (n) => {
			if (n === c)
				return true;
			if (seen.has(n))
				return false;
			seen.add(n);
			const def = this.conditions[n];
			if (fnOf(def, true) === 'Condition')
				return holds(def.Condition);
			if (fnOf(def, true) === 'Fn::And' && Array.isArray(def['Fn::And']))
				return def['Fn::And'].some((x) => fnOf(x, true) === 'Condition' && holds(x.Condition));
			return false;
		};
		return conds.some(holds);
	}

	checkConditional(target, w, ctx) {
		const r = this.resources[target];
		if (!isObj(r) || r.Condition === undefined)
			return;
		if (!this.implies(ctx.conds || [], r.Condition))
			this.err(w, `${target} exists only when ${r.Condition} holds, but is ` +
			    'referred to where it may not (use the same Condition, or an Fn::If on it)');
	}

	checkRefName(name, w, ctx) {
		if (typeof name !== 'string') {
			this.err(w, `Ref needs a name, got ${describe(name)}`);
			return;
		}
		if (PSEUDO.has(name) || this.params[name] !== undefined)
			return;
		if (this.resources[name] !== undefined) {
			if (ctx.where === 'condition')
				this.err(w, `Ref to resource ${name} in a condition (only parameters)`);
			else
				this.checkConditional(name, w, ctx);
			return;
		}
		this.err(w, `Ref to undeclared ${name}${suggest(name, [...Object.keys(this.params), ...Object.keys(this.resources), ...PSEUDO])}`);
	}

	checkGetAtt(res, attr, w, ctx) {
		if (ctx.where === 'condition') {
			this.err(w, 'Fn::GetAtt is not allowed in conditions');
			return;
		}
		const r = this.resources[res];
		if (r === undefined) {
			this.err(w, `Fn::GetAtt on undeclared resource ${res}${suggest(String(res), Object.keys(this.resources))}`);
			return;
		}
		this.checkConditional(res, w, ctx);
		if (typeof attr !== 'string')
			return; /* a Ref as the attribute name: cannot check */
		const type = r.Type;
		if (typeof type !== 'string' || type.startsWith('Custom::') ||
		    type === 'AWS::CloudFormation::CustomResource')
			return;
		if (type === 'AWS::CloudFormation::Stack' && attr.startsWith('Outputs.'))
			return;
		const rt = this.spec.resources.get(type);
		if (rt === undefined)
			return; /* reported on the resource */
		if (rt.attributes[attr] === undefined)
			this.err(w, `${type} has no attribute ${attr}${suggest(attr, Object.keys(rt.attributes))}`);
	}

	/* Walk any value: check every intrinsic function in it. */
	checkExpr(v, w, ctx) {
		if (Array.isArray(v)) {
			v.forEach((x, i) => this.checkExpr(x, `${w}[${i}]`, ctx));
			return;
		}
		if (!isObj(v))
			return;
		const f = fnOf(v);
		if (f === null) {
			for (const [k, x] of Object.entries(v))
				this.checkExpr(x, `${w}.${k}`, ctx);
			return;
		}
		const a = v[f];
		const fw = `${w}.${f}`;
		if (CONDITION_FNS.has(f) || RULE_FNS.has(f)) {
			this.err(fw, `${f} is only allowed in Conditions / Rules`);
			return;
		}
		if (!INTRINSICS.has(f)) {
			this.err(fw, `unknown function${suggest(f, INTRINSICS)}`);
			return;
		}
		if (LANGUAGE_EXTENSIONS.has(f) && !this.transforms.has('AWS::LanguageExtensions'))
			this.err(fw, 'needs Transform: AWS::LanguageExtensions');
		const list = (n, lo, hi) => {
			if (!Array.isArray(a) || a.length < n || a.length > (hi || n)) {
				this.err(fw, `takes a list of ${hi && hi !== n ? `${n} to ${hi}` : n} arguments, got ${describe(a)}`);
				return false;
			}
			return true;
		};
		switch (f) {
		case 'Ref':
			this.checkRefName(a, fw, ctx);
			return;
		case 'Fn::GetAtt':
			if (typeof a === 'string') {
				const i = a.indexOf('.');
				this.checkGetAtt(a.slice(0, i), i < 0 ? undefined : a.slice(i + 1), fw, ctx);
			} else if (list(2)) {
				this.checkGetAtt(a[0], a[1], fw, ctx);
				if (isObj(a[1]))
					this.checkExpr(a[1], `${fw}[1]`, ctx);
			}
			return;
		case 'Fn::Sub': {
			let s = a;
			let vars = {};
			if (Array.isArray(a)) {
				if (!list(2))
					return;
				s = a[0];
				vars = a[1];
				if (!isObj(vars) || fnOf(vars)) {
					this.err(fw, 'the second argument must be a mapping of variables');
					vars = {};
				}
				for (const [k, x] of Object.entries(vars))
					this.checkExpr(x, `${fw}[1].${k}`, ctx);
			}
			if (typeof s !== 'string') {
				this.err(fw, `the template must be a literal string, got ${describe(s)}`);
				return;
			}
			for (const name of subVariables(s)) {
				if (vars[name] !== undefined)
					continue;
				const i = name.indexOf('.');
				if (i > 0 && !PSEUDO.has(name))
					this.checkGetAtt(name.slice(0, i), name.slice(i + 1), `${fw} \${${name}}`, ctx);
				else
					this.checkRefName(name, `${fw} \${${name}}`, ctx);
			}
			return;
		}
		case 'Fn::If': {
			if (!list(3))
				return;
			const c = a[0];
			if (typeof c !== 'string' || this.conditions[c] === undefined)
				this.err(fw, `unknown condition ${JSON.stringify(c)}${suggest(String(c), Object.keys(this.conditions))}`);
			const conds = ctx.conds || [];
			this.checkExpr(a[1], `${fw}[1]`, { ...ctx, conds: conds.concat([c]) });
			this.checkExpr(a[2], `${fw}[2]`, ctx);
			return;
		}
		case 'Fn::Join':
			if (!list(2))
				return;
			if (typeof a[0] !== 'string')
				this.err(fw, 'the delimiter must be a literal string');
			if (!Array.isArray(a[1]) && !this.listKind(a[1]))
				this.err(fw, `the second argument must be a list, got ${describe(a[1])}`);
			this.checkExpr(a[1], `${fw}[1]`, ctx);
			return;
		case 'Fn::Select':
			if (!list(2))
				return;
			if (!(typeof a[0] === 'number' || /^[0-9]+$/.test(String(a[0])) || fnOf(a[0]) === 'Ref' || fnOf(a[0]) === 'Fn::FindInMap'))
				this.err(fw, 'the index must be a number, Ref or Fn::FindInMap');
			if (!Array.isArray(a[1]) && !this.listKind(a[1]))
				this.err(fw, `the second argument must be a list, got ${describe(a[1])}`);
			this.checkExpr(a, fw, { ...ctx, _args: true });
			return;
		case 'Fn::Split':
			if (!list(2))
				return;
			if (typeof a[0] !== 'string')
				this.err(fw, 'the delimiter must be a literal string');
			this.checkExpr(a[1], `${fw}[1]`, ctx);
			return;
		case 'Fn::FindInMap': {
			if (!list(3, 3, 4))
				return;
			const [m, k1, k2] = a;
			if (typeof m !== 'string' || this.mappings[m] === undefined) {
				this.err(fw, `unknown mapping ${JSON.stringify(m)}${suggest(String(m), Object.keys(this.mappings))}`);
			} else {
				const map = this.mappings[m];
				if (typeof k1 === 'string' && map[k1] === undefined)
					this.err(fw, `mapping ${m} has no key ${k1}`);
				if (typeof k2 === 'string') {
					const tops = typeof k1 === 'string' ? [map[k1]].filter(Boolean) : Object.values(map);
					if (tops.length > 0 && !tops.some((x) => isObj(x) && x[k2] !== undefined))
						this.err(fw, `mapping ${m} has no second-level key ${k2}`);
				}
			}
			for (const k of [k1, k2])
				if (isObj(k) && !['Ref', 'Fn::FindInMap'].includes(fnOf(k)) &&
				    !this.transforms.has('AWS::LanguageExtensions'))
					this.err(fw, `keys may only be literals, Ref or Fn::FindInMap, got ${describe(k)}`);
			this.checkExpr([k1, k2], fw, ctx);
			return;
		}
		case 'Fn::GetAZs':
			if (!(typeof a === 'string' || fnOf(a) === 'Ref'))
				this.err(fw, 'takes a region name or Ref');
			this.checkExpr(a, fw, ctx);
			return;
		case 'Fn::ImportValue':
			/* The exported name cannot depend on a resource. */
			if (['Fn::ImportValue', 'Fn::GetAtt'].includes(fnOf(a)) ||
			    (fnOf(a) === 'Ref' && this.resources[a.Ref] !== undefined))
				this.err(fw, 'the name to import cannot depend on a resource');
			this.checkExpr(a, fw, ctx);
			return;
		case 'Fn::Base64':
			this.checkExpr(a, fw, ctx);
			return;
		case 'Fn::Cidr':
			if (list(3))
				this.checkExpr(a, fw, ctx);
			return;
		default:
			this.checkExpr(a, fw, ctx);
		}
	}

	/* What an intrinsic returns: 'string', 'list', 'any', 'novalue'. */
	kind(v) {
		const f = fnOf(v);
		const a = v[f];
		switch (f) {
		case 'Ref': {
			if (a === 'AWS::NoValue')
				return 'novalue';
			if (a === 'AWS::NotificationARNs')
				return 'list';
			const p = this.params[a];
			if (isObj(p) && typeof p.Type === 'string' && (p.Type === 'CommaDelimitedList' ||
			    p.Type.startsWith('List<') || p.Type.startsWith('AWS::SSM::Parameter::Value<List<') ||
			    p.Type.startsWith('AWS::SSM::Parameter::Value<CommaDelimitedList')))
				return 'list';
			return 'string';
		}
		case 'Fn::GetAtt': {
			const [res, attr] = typeof a === 'string' ? [a.split('.')[0], a.split('.').slice(1).join('.')] : a || [];
			const r = this.resources[res];
			const rt = r && this.spec.resources.get(r.Type);
			const at = rt && rt.attributes[attr];
			if (at && at.type.type === 'array')
				return 'list';
			if (at && at.type.type === 'string')
				return 'string';
			return 'any';
		}
		case 'Fn::Sub': case 'Fn::Join': case 'Fn::Base64': case 'Fn::ImportValue':
		case 'Fn::ToJsonString':
			return 'string';
		case 'Fn::Split': case 'Fn::GetAZs': case 'Fn::Cidr':
			return 'list';
		case 'Fn::Length':
			return 'number';
		default:
			return 'any';
		}
	}

	listKind(v) {
		if (fnOf(v) === 'Fn::If')
			return Array.isArray(v['Fn::If']) && v['Fn::If'].slice(1).every((b) => Array.isArray(b) || this.listKind(b) || isNoValue(b));
		const k = fnOf(v) ? this.kind(v) : null;
		return k === 'list' || k === 'any';
	}

	/* ---- shapes from the specification ---- */

	typeName(t) {
		switch (t.type) {
		case 'ref': {
			const td = this.spec.types.get(t.reference.$ref);
			return td ? td.name : 'object';
		}
		case 'array': return `list of ${this.typeName(t.element)}`;
		case 'map': return `map of ${this.typeName(t.element)}`;
		case 'union': return t.types.map((x) => this.typeName(x)).join(' or ');
		case 'tag': return 'tag';
		default: return t.type;
		}
	}

	/* Can an intrinsic of kind ${k} stand where type ${t} is expected? */
	kindFits(k, t) {
		if (k === 'novalue' || t.type === 'json')
			return true;
		switch (t.type) {
		case 'string': case 'date-time': case 'integer': case 'number': case 'boolean':
			return k === 'string' || k === 'any' || k === 'number';
		case 'array':
			return k === 'list' || k === 'any';
		case 'union':
			return t.types.some((x) => this.kindFits(k, x));
		default: /* ref (an object), map, tag: no function returns one */
			return false;
		}
	}

	/* Check value ${v} against spec type ${t}; returns the error count added. */
	checkValue(v, t, w) {
		const before = this.errors.length;
		const f = fnOf(v);
		if (f === 'Fn::If') {
			const a = v[f];
			if (Array.isArray(a) && a.length === 3)
				for (const i of [1, 2])
					if (!isNoValue(a[i]))
						this.checkValue(a[i], t, `${w}.Fn::If[${i}]`);
			return this.errors.length - before;
		}
		if (f !== null) {
			const k = this.kind(v);
			if (!this.kindFits(k, t))
				this.err(w, `expects ${this.typeName(t)}, but ${f} returns ${k === 'any' ? 'a string or list' : `a ${k}`}`);
			return this.errors.length - before;
		}
		switch (t.type) {
		case 'string':
		case 'date-time':
			if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean')
				this.err(w, `expects a string, got ${describe(v)}`);
			else if (t.allowedValues && !t.allowedValues.includes(String(v)))
				this.err(w, `${JSON.stringify(v)} is not one of ${t.allowedValues.join(', ')}`);
			break;
		case 'integer':
			if (!(Number.isInteger(v) || (typeof v === 'string' && /^-?[0-9]+$/.test(v))))
				this.err(w, `expects an integer, got ${describe(v)}`);
			else if (t.allowedValues && !t.allowedValues.map(String).includes(String(v)))
				this.err(w, `${v} is not one of ${t.allowedValues.join(', ')}`);
			break;
		case 'number':
			if (!((typeof v === 'number' && isFinite(v)) ||
			    (typeof v === 'string' && v.trim() !== '' && isFinite(Number(v)))))
				this.err(w, `expects a number, got ${describe(v)}`);
			break;
		case 'boolean':
			if (!(typeof v === 'boolean' || (typeof v === 'string' && /^(true|false)$/i.test(v))))
				this.err(w, `expects a boolean, got ${describe(v)}`);
			break;
		case 'json':
			break;
		case 'array':
			if (!Array.isArray(v)) {
				this.err(w, `expects a list of ${this.typeName(t.element)}, got ${describe(v)}`);
				break;
			}
			v.forEach((x, i) => {
				if (!isNoValue(x))
					this.checkValue(x, t.element, `${w}[${i}]`);
			});
			break;
		case 'map':
			if (!isObj(v)) {
				this.err(w, `expects a map of ${this.typeName(t.element)}, got ${describe(v)}`);
				break;
			}
			for (const [k, x] of Object.entries(v))
				if (!isNoValue(x))
					this.checkValue(x, t.element, `${w}.${k}`);
			break;
		case 'tag':
			if (!isObj(v)) {
				this.err(w, `expects a tag {Key, Value}, got ${describe(v)}`);
				break;
			}
			for (const k of Object.keys(v))
				if (k !== 'Key' && k !== 'Value')
					this.err(`${w}.${k}`, `unknown tag attribute${suggest(k, ['Key', 'Value'])}`);
			for (const k of ['Key', 'Value'])
				if (v[k] === undefined)
					this.err(w, `tag needs ${k}`);
				else
					this.checkValue(v[k], { type: 'string' }, `${w}.${k}`);
			break;
		case 'ref': {
			const td = this.spec.types.get(t.reference.$ref);
			if (td === undefined)
				break;
			if (!isObj(v)) {
				this.err(w, `expects a ${td.name} object, got ${describe(v)}`);
				break;
			}
			this.checkObject(v, td.properties, w, td.name);
			break;
		}
		case 'union': {
			/* accept if any member fits; else report the closest member */
			let best = null;
			for (const m of t.types) {
				const saved = this.errors;
				this.errors = [];
				this.checkValue(v, m, w);
				const errs = this.errors;
				this.errors = saved;
				if (errs.length === 0)
					return 0;
				const score = (m.type === 'ref') === isObj(v) ? errs.length : errs.length + 1000;
				if (best === null || score < best.score)
					best = { score, errs };
			}
			if (best)
				this.errors.push(...best.errs);
			break;
		}
		default:
			break;
		}
		return this.errors.length - before;
	}

	/* An object of known properties ${props} (name -> {type, required,
	 * previousTypes}). */
	checkObject(v, props, w, typeName) {
		for (const [k, x] of Object.entries(v)) {
			const p = props[k];
			if (p === undefined) {
				this.err(`${w}.${k}`, `${typeName} has no property ${k}${suggest(k, Object.keys(props))}`);
				continue;
			}
			if (isNoValue(x))
				continue;
			const shapes = [p.type, ...(p.previousTypes || [])];
			if (shapes.length === 1) {
				this.checkValue(x, p.type, `${w}.${k}`);
				continue;
			}
			this.checkValue(x, { type: 'union', types: shapes }, `${w}.${k}`);
		}
		for (const [k, p] of Object.entries(props))
			if (p.required && v[k] === undefined)
				this.err(w, `${typeName} requires property ${k}`);
	}
}

function validate(tpl, spec) {
	return new Validator(tpl, spec).run();
}

module.exports = { parseTemplate, loadTemplate, loadSpec, validate, cfnTags,
	fnOf, isNoValue, subVariables, specPaths };

if (require.main === module) {
	const files = process.argv.slice(2);
	if (files.length === 0) {
		process.stderr.write('usage: node validate.js TEMPLATE...\n');
		process.exit(2);
	}
	let spec;
	try {
		spec = loadSpec();
	} catch (e) {
		process.stderr.write(`validate.js: cannot load the specification: ${e.message}\n`);
		process.exit(2);
	}
	let bad = 0;
	for (const f of files) {
		let tpl;
		try {
			tpl = loadTemplate(f);
		} catch (e) {
			process.stdout.write(`${f}: ${e.message}\n`);
			bad++;
			continue;
		}
		const errors = validate(tpl, spec);
		const size = fs.statSync(f).size;
		if (size > 1024 * 1024)
			errors.push(`template: ${size} bytes, more than CloudFormation's 1 MB`);
		if (errors.length === 0) {
			process.stdout.write(`${f}: valid against @aws-cdk/aws-service-spec ${spec.version} ` +
			    `(${Object.keys(tpl.Resources).length} resources, ${Object.keys(tpl.Parameters || {}).length} parameters)\n`);
		} else {
			bad++;
			for (const e of errors)
				process.stdout.write(`${f}: ${e}\n`);
			process.stdout.write(`${f}: ${errors.length} error(s)\n`);
		}
	}
	process.exit(bad === 0 ? 0 : 1);
}
