#!/usr/bin/env node
/*
 * checks.js: what deploy/elbship.yaml must be, beyond being valid
 * CloudFormation (validate.js): least privilege, the notification ordering
 * without a cycle, every optional part behind a condition, the function's
 * runtime and settings, the ELB delivery policy, a locked-down bucket.
 * Then proofs that the checks bite: the validator and several of these
 * checks are run on copies of the template with one defect each, and must
 * fail.
 *
 *   node checks.js [TEMPLATE]     one line per check: "ok - NAME" or
 *                                 "not ok - NAME" followed by "#   why" lines
 *                                 (tests/deploy/run.sh numbers them)
 */
'use strict';

const fs = require('fs');
const path = require('path');
const V = require('./validate.js');

const ROOT = path.resolve(__dirname, '..', '..');
const FILE = process.argv[2] || path.join(ROOT, 'deploy', 'elbship.yaml');
const { fnOf, isNoValue } = V;

const isObj = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const asList = (v) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const BUCKET = '${BucketNamePrefix}-${AWS::AccountId}-${AWS::Region}';
const PSEUDO = new Set(['AWS::AccountId', 'AWS::NotificationARNs',
	'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId',
	'AWS::StackName', 'AWS::URLSuffix']);

/* Elastic Load Balancing's accounts for regions opened before August 2022, as
 * AWS documents them (ALB "Enable access logs", step 2; GovCloud; China). */
const ELB_ACCOUNTS = {
	'us-east-1': '127311923021', 'us-east-2': '033677994240',
	'us-west-1': '027434742980', 'us-west-2': '797873946194',
	'af-south-1': '098369216593', 'ap-east-1': '754344448648',
	'ap-southeast-3': '589379963580', 'ap-south-1': '718504428378',
	'ap-northeast-3': '383597477331', 'ap-northeast-2': '600734575887',
	'ap-southeast-1': '114774131450', 'ap-southeast-2': '783225319266',
	'ap-northeast-1': '582318560864', 'ca-central-1': '985666609251',
	'eu-central-1': '054676820928', 'eu-west-1': '156460612806',
	'eu-west-2': '652711504416', 'eu-south-1': '635631232127',
	'eu-west-3': '009996457667', 'eu-north-1': '897822967062',
	'me-south-1': '076674570225', 'sa-east-1': '507241528517',
	'us-gov-west-1': '048591011584', 'us-gov-east-1': '190560391635',
	'cn-north-1': '638102146993', 'cn-northwest-1': '037604701340',
};
const ENI_ACTIONS = ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces',
	'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface',
	'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'];

/* ---- walking the template ---------------------------------------------------- */

/* Every node with the Fn::If conditions it sits under (true branch: "C",
 * false branch: "!C"). */
function walk(v, fn, conds = [], where = '') {
	fn(v, conds, where);
	if (Array.isArray(v)) {
		v.forEach((x, i) => walk(x, fn, conds, `${where}[${i}]`));
	} else if (isObj(v)) {
		if (fnOf(v) === 'Fn::If' && Array.isArray(v['Fn::If'])) {
			const [c, a, b] = v['Fn::If'];
			walk(a, fn, conds.concat([c]), `${where}.Fn::If[1]`);
			walk(b, fn, conds.concat(['!' + c]), `${where}.Fn::If[2]`);
			return;
		}
		for (const [k, x] of Object.entries(v))
			walk(x, fn, conds, `${where}.${k}`);
	}
}

/* Names a value refers to: Ref, GetAtt resource, ${} of Fn::Sub. */
function references(v) {
	const out = [];
	walk(v, (x) => {
		const f = fnOf(x);
		if (f === 'Ref' && typeof x.Ref === 'string')
			out.push({ name: x.Ref, kind: 'Ref' });
		else if (f === 'Fn::GetAtt') {
			const a = x[f];
			const res = typeof a === 'string' ? a.split('.')[0] : Array.isArray(a) ? a[0] : null;
			out.push({ name: res, kind: 'GetAtt' });
		} else if (f === 'Fn::Sub') {
			const a = x[f];
			const s = Array.isArray(a) ? a[0] : a;
			const vars = Array.isArray(a) && isObj(a[1]) ? a[1] : {};
			if (typeof s === 'string')
				for (const n of V.subVariables(s))
					if (vars[n] === undefined)
						out.push({ name: n.includes('.') && !PSEUDO.has(n) ? n.split('.')[0] : n, kind: 'Sub' });
		}
	});
	return out;
}

/* Every IAM statement: {doc: where, st, conds, effect}. */
function statements(tpl) {
	const out = [];
	for (const [name, r] of Object.entries(tpl.Resources)) {
		walk(r.Properties || {}, (x, conds, where) => {
			if (!isObj(x) || fnOf(x))
				return;
			for (const [k, doc] of Object.entries(x)) {
				if (!/PolicyDocument$/.test(k) || !isObj(doc))
					continue;
				const policyName = typeof x.PolicyName === 'string' ? x.PolicyName : k;
				asList(doc.Statement).forEach((st, i) => {
					walk(st, (s, c2) => {
						if (isObj(s) && !fnOf(s) && s.Effect !== undefined)
							out.push({ resource: name, policy: policyName, st: s, doc: k,
								conds: conds.concat(c2), where: `${name}${where}.${k}.Statement[${i}]` });
					});
				});
			}
		});
	}
	return out;
}

const rolePolicies = (tpl) => asList(tpl.Resources.FunctionRole &&
    tpl.Resources.FunctionRole.Properties.Policies);

/* A role policy by name, with the condition it is wrapped in (or null). */
function rolePolicy(tpl, name) {
	for (const p of rolePolicies(tpl)) {
		if (isObj(p) && p.PolicyName === name)
			return { policy: p, cond: null };
		if (fnOf(p) === 'Fn::If') {
			const [c, a, b] = p['Fn::If'];
			if (isObj(a) && a.PolicyName === name && isNoValue(b))
				return { policy: a, cond: c };
		}
	}
	return null;
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const isIfNoValue = (v, cond) => fnOf(v) === 'Fn::If' && v['Fn::If'][0] === cond &&
    isNoValue(v['Fn::If'][2]);
const subText = (v) => (fnOf(v) === 'Fn::Sub' ? (Array.isArray(v['Fn::Sub']) ? v['Fn::Sub'][0] : v['Fn::Sub']) : null);

/* Resource-to-resource dependencies: Ref, GetAtt, ${} and DependsOn in
 * Properties and Metadata. */
function dependencies(tpl) {
	const g = new Map();
	for (const [name, r] of Object.entries(tpl.Resources)) {
		const deps = new Set(asList(r.DependsOn));
		for (const ref of references([r.Properties || {}, r.Metadata || {}]))
			if (tpl.Resources[ref.name] !== undefined)
				deps.add(ref.name);
		g.set(name, deps);
	}
	return g;
}

function findCycle(g) {
	const state = new Map();
	let cycle = null;
	const visit = (n, trail) => {
		if (cycle)
			return;
		if (state.get(n) === 1) {
			cycle = trail.slice(trail.indexOf(n)).concat(n);
			return;
		}
		if (state.get(n) === 2)
			return;
		state.set(n, 1);
		for (const d of g.get(n) || [])
			visit(d, trail.concat(n));
		state.set(n, 2);
	};
	for (const n of g.keys())
		visit(n, []);
	return cycle;
}

/* The ELBSHIP_* variables elbship reads (its settings table and the Lambda). */
function elbshipVariables() {
	const names = new Set();
	for (const f of ['src/core/settings.c', 'src/lambda/lambda.c']) {
		const p = path.join(ROOT, f);
		if (!fs.existsSync(p))
			continue;
		for (const m of fs.readFileSync(p, 'utf8').matchAll(/"(ELBSHIP_[A-Z0-9_]+)"/g))
			names.add(m[1]);
	}
	return names;
}

/* ---- the checks: each returns a list of problems (empty = pass) ------------- */

const CHECKS = [];
const check = (name, fn) => CHECKS.push({ name, fn });

check('every Ref, GetAtt and Fn::Sub variable names a declared parameter, resource or pseudo parameter', (t) => {
	const bad = [];
	const known = (n) => PSEUDO.has(n) || (t.Parameters || {})[n] !== undefined || t.Resources[n] !== undefined;
	const scan = (v, where) => {
		for (const r of references(v))
			if (!known(r.name) || (r.kind === 'GetAtt' && t.Resources[r.name] === undefined))
				bad.push(`${where}: ${r.kind} ${r.name}`);
	};
	scan(t.Resources, 'Resources');
	scan(t.Outputs || {}, 'Outputs');
	scan(t.Conditions || {}, 'Conditions');
	scan(t.Rules || {}, 'Rules');
	return bad;
});

check('every condition used is declared, and every declared condition is used', (t) => {
	const declared = new Set(Object.keys(t.Conditions || {}));
	const used = new Set();
	const bad = [];
	walk([t.Resources, t.Outputs || {}, t.Conditions || {}], (x) => {
		if (fnOf(x) === 'Fn::If' && Array.isArray(x['Fn::If']))
			used.add(x['Fn::If'][0]);
		if (isObj(x) && Object.keys(x).length === 1 && typeof x.Condition === 'string')
			used.add(x.Condition);
	});
	for (const r of Object.values(t.Resources))
		if (r.Condition)
			used.add(r.Condition);
	for (const o of Object.values(t.Outputs || {}))
		if (o.Condition)
			used.add(o.Condition);
	for (const c of used)
		if (!declared.has(c))
			bad.push(`undeclared condition ${c}`);
	for (const c of declared)
		if (!used.has(c))
			bad.push(`condition ${c} is never used`);
	return bad;
});

check('every parameter is used, has a Description, and is in exactly one console parameter group', (t) => {
	const bad = [];
	const used = new Set(references([t.Resources, t.Outputs || {}, t.Conditions || {}, t.Rules || {}]).map((r) => r.name));
	const groups = (((t.Metadata || {})['AWS::CloudFormation::Interface'] || {}).ParameterGroups || [])
	    .flatMap((g) => g.Parameters || []);
	for (const [n, p] of Object.entries(t.Parameters || {})) {
		if (!used.has(n))
			bad.push(`${n} is never used`);
		if (typeof p.Description !== 'string' || p.Description.trim().length < 10)
			bad.push(`${n} has no Description`);
		const k = groups.filter((g) => g === n).length;
		if (k !== 1)
			bad.push(`${n} is in ${k} parameter groups`);
	}
	for (const g of groups)
		if ((t.Parameters || {})[g] === undefined)
			bad.push(`parameter group names undeclared ${g}`);
	return bad;
});

check('parameters are constrained (AllowedValues, AllowedPattern or MinValue/MaxValue) unless free text', (t) => {
	const FREE = new Set(['EsIndex', 'EsPipeline', 'EsUsername', 'CodeS3ObjectVersion',
		'SubnetIds', 'RouteTableIds']);
	const bad = [];
	for (const [n, p] of Object.entries(t.Parameters || {})) {
		if (FREE.has(n))
			continue;
		if (p.Type === 'Number' && p.AllowedValues === undefined &&
		    (p.MinValue === undefined || p.MaxValue === undefined))
			bad.push(`${n}: Number without MinValue/MaxValue or AllowedValues`);
		if (p.Type === 'String' && p.AllowedValues === undefined && p.AllowedPattern === undefined)
			bad.push(`${n}: String without AllowedValues or AllowedPattern`);
	}
	return bad;
});

check('no IAM Allow statement has a wildcard action', (t) => {
	const bad = [];
	for (const s of statements(t)) {
		if (s.st.Effect !== 'Allow')
			continue;
		if (s.st.NotAction !== undefined)
			bad.push(`${s.where}: NotAction in an Allow`);
		walk(s.st.Action, (a) => {
			if (typeof a === 'string' && a.includes('*'))
				bad.push(`${s.where}: action ${a}`);
		});
	}
	return bad;
});

check('no IAM Allow statement has Resource "*" except the VPC network-interface actions, only with a VPC', (t) => {
	const bad = [];
	for (const s of statements(t)) {
		if (s.st.Effect !== 'Allow' || s.resource !== 'FunctionRole' || s.doc === 'AssumeRolePolicyDocument')
			continue;
		if (s.st.Resource === undefined || s.st.NotResource !== undefined) {
			bad.push(`${s.where}: no Resource`);
			continue;
		}
		let star = false;
		walk(s.st.Resource, (r) => {
			if (typeof r === 'string' && /^\*$|^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(r))
				star = true;
		});
		if (!star)
			continue;
		const acts = asList(s.st.Action).slice().sort();
		if (!same(acts, ENI_ACTIONS.slice().sort()))
			bad.push(`${s.where}: Resource "*" for ${acts.join(', ')}`);
		else if (!s.conds.includes('InVpc'))
			bad.push(`${s.where}: the network-interface actions are granted without the InVpc condition`);
	}
	return bad;
});

check('the role: assumable by Lambda only, reads only the log objects of the log bucket (s3:GetObject), writes only its own log group', (t) => {
	const bad = [];
	const all = statements(t).filter((s) => s.resource === 'FunctionRole' && s.st.Effect === 'Allow');
	const acts = (s) => asList(s.st.Action).filter((a) => typeof a === 'string');
	for (const s of all) {
		for (const a of acts(s)) {
			if (a.startsWith('s3:')) {
				const res = subText(s.st.Resource);
				if (a !== 's3:GetObject')
					bad.push(`${s.where}: ${a}`);
				else if (res === null || !res.startsWith(`arn:\${AWS::Partition}:s3:::${BUCKET}/`) || !res.endsWith('*'))
					bad.push(`${s.where}: s3:GetObject on ${JSON.stringify(s.st.Resource)}`);
			}
			if (a.startsWith('logs:')) {
				if (!['logs:CreateLogStream', 'logs:PutLogEvents'].includes(a))
					bad.push(`${s.where}: ${a}`);
				if (!same(s.st.Resource, { 'Fn::GetAtt': ['FunctionLogGroup', 'Arn'] }))
					bad.push(`${s.where}: ${a} not on the function's own log group`);
			}
		}
	}
	const trust = t.Resources.FunctionRole.Properties.AssumeRolePolicyDocument;
	if (!same(trust.Statement, [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' },
		Action: 'sts:AssumeRole' }]))
		bad.push('the role is not assumable by lambda.amazonaws.com alone');
	if (t.Resources.FunctionRole.Properties.ManagedPolicyArns !== undefined)
		bad.push('managed policies attached (broader than needed)');
	if (!all.some((s) => acts(s).includes('s3:GetObject')))
		bad.push('no s3:GetObject');
	if (!all.some((s) => acts(s).includes('logs:PutLogEvents')))
		bad.push('no logs:PutLogEvents');
	return bad;
});

check('secrets: the role may read only the given secret ARNs (conditional), kms:Decrypt only through the service', (t) => {
	const bad = [];
	const want = { 'read-es-password': ['HasEsPasswordSecret', 'EsPasswordSecretArn'],
		'read-es-api-key': ['HasEsApiKeySecret', 'EsApiKeySecretArn'] };
	for (const [pn, [cond, param]] of Object.entries(want)) {
		const rp = rolePolicy(t, pn);
		if (rp === null || rp.cond !== cond) {
			bad.push(`policy ${pn} missing or not under ${cond}`);
			continue;
		}
		for (const st of asList(rp.policy.PolicyDocument.Statement)) {
			if (!same(asList(st.Action).slice().sort(), ['secretsmanager:GetSecretValue', 'ssm:GetParameter']))
				bad.push(`${pn}: actions ${JSON.stringify(st.Action)}`);
			if (!same(st.Resource, { 'Fn::Select': [0, { 'Fn::Split': ['#', { Ref: param }] }] }))
				bad.push(`${pn}: resource ${JSON.stringify(st.Resource)} is not the ARN in ${param}`);
		}
	}
	for (const s of statements(t)) {
		const acts = asList(s.st.Action);
		if (acts.some((a) => typeof a === 'string' && (a.startsWith('secretsmanager:') || a.startsWith('ssm:'))) &&
		    !['read-es-password', 'read-es-api-key'].includes(s.policy))
			bad.push(`${s.where}: secret access outside the secret policies`);
		if (acts.includes('kms:Decrypt')) {
			const via = ((s.st.Condition || {}).StringEquals || {})['kms:ViaService'];
			if (via === undefined)
				bad.push(`${s.where}: kms:Decrypt without kms:ViaService`);
			if (!s.conds.some((c) => ['BucketKms', 'HasSecretsKmsKey'].includes(c)))
				bad.push(`${s.where}: kms:Decrypt without a condition`);
		}
	}
	const env = t.Resources.Function.Properties.Environment.Variables;
	for (const [v, cond, param] of [['ELBSHIP_ES_PASSWORD_SECRET', 'HasEsPasswordSecret', 'EsPasswordSecretArn'],
		['ELBSHIP_ES_API_KEY_SECRET', 'HasEsApiKeySecret', 'EsApiKeySecretArn']])
		if (!isIfNoValue(env[v], cond) || !same(env[v]['Fn::If'][1], { Ref: param }))
			bad.push(`${v} is not !If [${cond}, !Ref ${param}, AWS::NoValue]`);
	for (const v of Object.keys(env))
		if (/(PASSWORD|API_KEY)$/.test(v))
			bad.push(`secret value in the environment: ${v}`);
	for (const [n, p] of Object.entries(t.Parameters || {}))
		if (/(Password|ApiKey|Secret)/.test(n) && !/Arn$/.test(n))
			bad.push(`parameter ${n} looks like a secret value (only ARNs are allowed)`);
		else if (/Secret/.test(n) && p.Type !== 'String')
			bad.push(`parameter ${n}: not a String`);
	return bad;
});

check('SQS permissions: consume only the notification queue (SQS delivery), send only to the failure queue (direct)', (t) => {
	const bad = [];
	const consume = rolePolicy(t, 'consume-notification-queue');
	const send = rolePolicy(t, 'send-to-failure-queue');
	if (!consume || consume.cond !== 'IsSqs')
		bad.push('consume-notification-queue missing or not under IsSqs');
	else {
		const st = asList(consume.policy.PolicyDocument.Statement)[0];
		if (!same(asList(st.Action).slice().sort(), ['sqs:ChangeMessageVisibility', 'sqs:DeleteMessage',
			'sqs:GetQueueAttributes', 'sqs:ReceiveMessage']))
			bad.push(`consume actions ${JSON.stringify(st.Action)}`);
		if (!same(st.Resource, { 'Fn::GetAtt': ['NotificationQueue', 'Arn'] }))
			bad.push('consume not on NotificationQueue');
	}
	if (!send || send.cond !== 'IsDirect')
		bad.push('send-to-failure-queue missing or not under IsDirect');
	else {
		const st = asList(send.policy.PolicyDocument.Statement)[0];
		if (!same(asList(st.Action), ['sqs:SendMessage']) ||
		    !same(st.Resource, { 'Fn::GetAtt': ['FailureQueue', 'Arn'] }))
			bad.push('send is not sqs:SendMessage on FailureQueue');
	}
	for (const s of statements(t))
		for (const a of asList(s.st.Action))
			if (typeof a === 'string' && a.startsWith('sqs:') && s.resource === 'FunctionRole' &&
			    !['consume-notification-queue', 'send-to-failure-queue'].includes(s.policy))
				bad.push(`${s.where}: ${a}`);
	return bad;
});

check('only the S3 read and log-group policies are unconditional; every other role policy sits behind a condition', (t) => {
	const bad = [];
	for (const p of rolePolicies(t)) {
		if (isObj(p) && !fnOf(p)) {
			if (!['read-elb-logs', 'write-own-log-group'].includes(p.PolicyName))
				bad.push(`${p.PolicyName} is unconditional`);
		} else if (fnOf(p) !== 'Fn::If' || !isNoValue(p['Fn::If'][2])) {
			bad.push(`${JSON.stringify(p).slice(0, 60)}: not !If [cond, policy, AWS::NoValue]`);
		}
	}
	return bad;
});

check('the bucket depends on the invoke permission (direct) and the queue policy (SQS): DependsOn or a conditional Ref in its Metadata', (t) => {
	const bad = [];
	const b = t.Resources.LogBucket;
	if (!b) return ['no LogBucket'];
	const deps = new Set(asList(b.DependsOn));
	const meta = [];
	walk(b.Metadata || {}, (x, conds) => {
		if (fnOf(x) === 'Ref')
			meta.push({ name: x.Ref, conds });
	});
	for (const [res, cond] of [['InvokePermission', 'IsDirect'], ['NotificationQueuePolicy', 'IsSqs']]) {
		const r = t.Resources[res];
		if (!r) {
			bad.push(`no ${res}`);
			continue;
		}
		if (r.Condition !== cond)
			bad.push(`${res} is not under ${cond}`);
		const viaMeta = meta.some((m) => m.name === res && m.conds.includes(cond));
		if (!deps.has(res) && !viaMeta)
			bad.push(`LogBucket does not depend on ${res}`);
		if (deps.has(res) && r.Condition !== undefined && b.Condition !== r.Condition)
			bad.push(`LogBucket DependsOn the conditional ${res}: CloudFormation rejects it when ${cond} is false`);
	}
	return bad;
});

check('the permission SourceArn and the queue policy build the bucket name from parameters, never from the bucket resource', (t) => {
	const bad = [];
	const want = `arn:\${AWS::Partition}:s3:::${BUCKET}`;
	const perm = t.Resources.InvokePermission;
	const qp = t.Resources.NotificationQueuePolicy;
	if (!perm || subText(perm.Properties.SourceArn) !== want)
		bad.push(`InvokePermission SourceArn is ${JSON.stringify(perm && perm.Properties.SourceArn)}, want !Sub '${want}'`);
	if (!perm || perm.Properties.Principal !== 's3.amazonaws.com' ||
	    !same(perm.Properties.SourceAccount, { Ref: 'AWS::AccountId' }))
		bad.push('InvokePermission must be for s3.amazonaws.com from this account');
	if (qp) {
		const st = asList(qp.Properties.PolicyDocument.Statement)[0] || {};
		const arn = ((st.Condition || {}).ArnEquals || (st.Condition || {}).ArnLike || {})['aws:SourceArn'];
		if (subText(arn) !== want)
			bad.push(`queue policy aws:SourceArn is ${JSON.stringify(arn)}`);
		if (!same(((st.Condition || {}).StringEquals || {})['aws:SourceAccount'], { Ref: 'AWS::AccountId' }))
			bad.push('queue policy has no aws:SourceAccount condition');
		if (!same(st.Principal, { Service: 's3.amazonaws.com' }) || !same(asList(st.Action), ['sqs:SendMessage']))
			bad.push('queue policy must let s3.amazonaws.com sqs:SendMessage only');
	} else
		bad.push('no NotificationQueuePolicy');
	for (const name of ['InvokePermission', 'NotificationQueuePolicy', 'FunctionRole', 'Function',
		'NotificationQueue', 'FailureQueue'])
		if (t.Resources[name] && references(t.Resources[name]).some((r) => r.name === 'LogBucket'))
			bad.push(`${name} refers to LogBucket`);
	if (subText(t.Resources.LogBucket.Properties.BucketName) !== BUCKET)
		bad.push(`BucketName is not !Sub '${BUCKET}'`);
	return bad;
});

check('the resource dependency graph (Ref, GetAtt, Sub, DependsOn, Metadata) has no cycle', (t) => {
	const c = findCycle(dependencies(t));
	return c ? [`cycle: ${c.join(' -> ')}`] : [];
});

check('VPC placement, the S3 gateway endpoint, SQS delivery, direct delivery, secrets and reserved concurrency are each switched by a condition', (t) => {
	const bad = [];
	const R = t.Resources;
	const cond = (n, c) => {
		if (!R[n])
			bad.push(`no ${n}`);
		else if (R[n].Condition !== c)
			bad.push(`${n} has Condition ${R[n].Condition}, want ${c}`);
	};
	cond('FunctionSecurityGroup', 'InVpc');
	cond('S3GatewayEndpoint', 'CreateS3Endpoint');
	for (const n of ['NotificationQueue', 'NotificationDeadLetterQueue', 'NotificationQueuePolicy', 'QueueEventSource'])
		cond(n, 'IsSqs');
	for (const n of ['InvokePermission', 'FailureQueue', 'AsyncInvokeConfig'])
		cond(n, 'IsDirect');
	const C = t.Conditions || {};
	if (!same(C.InVpc, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'VpcId' }, ''] }] }))
		bad.push('InVpc is not "VpcId is set"');
	if (!JSON.stringify(C.CreateS3Endpoint || '').includes('{"Condition":"InVpc"}'))
		bad.push('CreateS3Endpoint does not require InVpc');
	if (!same(C.IsSqs, { 'Fn::Equals': [{ Ref: 'Delivery' }, 'sqs'] }) ||
	    !same(C.IsDirect, { 'Fn::Equals': [{ Ref: 'Delivery' }, 'direct'] }))
		bad.push('IsSqs / IsDirect are not Delivery = sqs / direct');
	const p = t.Parameters.Delivery;
	if (!p || !same(p.AllowedValues.slice().sort(), ['direct', 'sqs']))
		bad.push('Delivery is not direct|sqs');
	const f = R.Function.Properties;
	if (!isIfNoValue(f.VpcConfig, 'InVpc'))
		bad.push('Function VpcConfig is not !If [InVpc, ..., AWS::NoValue]');
	if (!isIfNoValue(f.ReservedConcurrentExecutions, 'HasReservedConcurrency'))
		bad.push('ReservedConcurrentExecutions is not !If [HasReservedConcurrency, ..., AWS::NoValue]');
	const rc = JSON.stringify(C.HasReservedConcurrency || '');
	if (!rc.includes('"ReservedConcurrency"},""') || !rc.includes('"ReservedConcurrency"},"0"'))
		bad.push('HasReservedConcurrency does not treat both "" and "0" as unreserved');
	const n = R.LogBucket.Properties.NotificationConfiguration;
	if (!isIfNoValue(n.LambdaConfigurations, 'IsDirect'))
		bad.push('LambdaConfigurations are not under IsDirect');
	if (!isIfNoValue(n.QueueConfigurations, 'IsSqs'))
		bad.push('QueueConfigurations are not under IsSqs');
	return bad;
});

check('SQS delivery: ReportBatchItemFailures, batch settings and DLQ from parameters, visibility timeout = 6 x function timeout', (t) => {
	const bad = [];
	const R = t.Resources;
	const esm = R.QueueEventSource && R.QueueEventSource.Properties;
	if (!esm)
		return ['no QueueEventSource'];
	if (!same(esm.FunctionResponseTypes, ['ReportBatchItemFailures']))
		bad.push('FunctionResponseTypes is not [ReportBatchItemFailures]');
	if (!same(esm.BatchSize, { Ref: 'QueueBatchSize' }) ||
	    !same(esm.MaximumBatchingWindowInSeconds, { Ref: 'QueueBatchingWindow' }))
		bad.push('BatchSize / MaximumBatchingWindowInSeconds not from parameters');
	if (!same(esm.EventSourceArn, { 'Fn::GetAtt': ['NotificationQueue', 'Arn'] }))
		bad.push('event source is not NotificationQueue');
	const q = R.NotificationQueue.Properties;
	if (!same(q.RedrivePolicy, { deadLetterTargetArn: { 'Fn::GetAtt': ['NotificationDeadLetterQueue', 'Arn'] },
		maxReceiveCount: { Ref: 'QueueMaxReceiveCount' } }))
		bad.push(`RedrivePolicy is ${JSON.stringify(q.RedrivePolicy)}`);
	if (!same(q.VisibilityTimeout, { 'Fn::FindInMap': ['QueueVisibility', { Ref: 'FunctionTimeout' }, 'Seconds'] }))
		bad.push('VisibilityTimeout is not looked up from FunctionTimeout');
	const tp = t.Parameters.FunctionTimeout;
	const map = (t.Mappings || {}).QueueVisibility || {};
	if (!same(R.Function.Properties.Timeout, { Ref: 'FunctionTimeout' }))
		bad.push('Function Timeout is not FunctionTimeout');
	for (const v of tp.AllowedValues || [])
		if (!map[String(v)] || Number(map[String(v)].Seconds) !== 6 * Number(v))
			bad.push(`QueueVisibility for ${v} is not ${6 * v}`);
	if (!tp.AllowedValues || Object.keys(map).length !== tp.AllowedValues.length)
		bad.push('QueueVisibility keys differ from FunctionTimeout AllowedValues');
	for (const v of Object.values(map))
		if (Number(v.Seconds) > 43200)
			bad.push(`visibility ${v.Seconds} is over SQS's 43200`);
	if (Number(t.Parameters.QueueBatchSize.MaxValue) > 10 && Number(t.Parameters.QueueBatchingWindow.MinValue) < 1)
		bad.push('batch sizes over 10 need a batching window of at least 1 s');
	return bad;
});

check('direct delivery: an EventInvokeConfig sends failed events to an SQS queue after MaximumRetryAttempts', (t) => {
	const bad = [];
	const c = t.Resources.AsyncInvokeConfig && t.Resources.AsyncInvokeConfig.Properties;
	if (!c)
		return ['no AsyncInvokeConfig'];
	if (!same(c.DestinationConfig, { OnFailure: { Destination: { 'Fn::GetAtt': ['FailureQueue', 'Arn'] } } }))
		bad.push('OnFailure is not the FailureQueue');
	if (!same(c.MaximumRetryAttempts, { Ref: 'AsyncMaxRetryAttempts' }))
		bad.push('MaximumRetryAttempts not from AsyncMaxRetryAttempts');
	if (t.Resources.FailureQueue.Type !== 'AWS::SQS::Queue')
		bad.push('FailureQueue is not an SQS queue');
	if (!same(c.FunctionName, { Ref: 'Function' }) || c.Qualifier !== '$LATEST')
		bad.push('not for the function ($LATEST)');
	return bad;
});

check('the function: provided.al2023, handler bootstrap, architecture parameter defaulting to arm64, code from CodeS3Bucket/CodeS3Key', (t) => {
	const bad = [];
	const f = t.Resources.Function;
	if (!f || f.Type !== 'AWS::Lambda::Function')
		return ['no Function'];
	const p = f.Properties;
	if (p.Runtime !== 'provided.al2023')
		bad.push(`Runtime ${JSON.stringify(p.Runtime)}`);
	if (p.Handler !== 'bootstrap')
		bad.push(`Handler ${JSON.stringify(p.Handler)}`);
	if (!same(p.Architectures, [{ Ref: 'Architecture' }]))
		bad.push('Architectures is not [!Ref Architecture]');
	const a = t.Parameters.Architecture;
	if (!a || a.Default !== 'arm64' || !same(a.AllowedValues, ['arm64', 'x86_64']))
		bad.push('Architecture must default to arm64 and allow arm64, x86_64');
	if (!same(p.Code.S3Bucket, { Ref: 'CodeS3Bucket' }) || !same(p.Code.S3Key, { Ref: 'CodeS3Key' }))
		bad.push('Code is not from CodeS3Bucket / CodeS3Key');
	if (p.Code.ZipFile !== undefined)
		bad.push('inline code');
	if (p.PackageType !== undefined && p.PackageType !== 'Zip')
		bad.push('not a zip package');
	for (const [n, r] of Object.entries(t.Resources))
		if (r.Type === 'AWS::Lambda::Function' && n !== 'Function')
			bad.push(`another function ${n}`);
	return bad;
});

check('no nodejs (or other managed language) runtime anywhere in the template', (t, text) => {
	const bad = [];
	for (const m of text.matchAll(/\b(nodejs[0-9.x]*|python[23][0-9.]*|java[0-9]+|dotnet[0-9]+|ruby[0-9.]+|go1\.x)\b/g))
		bad.push(`mentions runtime ${m[1]}`);
	walk(t, (x) => {
		if (isObj(x) && typeof x.Runtime === 'string' && x.Runtime !== 'provided.al2023')
			bad.push(`Runtime ${x.Runtime}`);
	});
	return bad;
});

check('an explicit log group with retention, used by the function', (t) => {
	const bad = [];
	const g = t.Resources.FunctionLogGroup;
	if (!g || g.Type !== 'AWS::Logs::LogGroup')
		return ['no FunctionLogGroup'];
	if (!same(g.Properties.RetentionInDays, { Ref: 'FunctionLogRetentionDays' }))
		bad.push('RetentionInDays is not FunctionLogRetentionDays');
	if (!same((t.Resources.Function.Properties.LoggingConfig || {}).LogGroup, { Ref: 'FunctionLogGroup' }))
		bad.push('the function does not log to FunctionLogGroup');
	return bad;
});

check('every environment variable is an ELBSHIP_* setting elbship reads; each optional one is left out when empty', (t) => {
	const bad = [];
	const known = elbshipVariables();
	const env = t.Resources.Function.Properties.Environment.Variables;
	if (known.size === 0)
		bad.push('cannot read the settings from src/core/settings.c');
	for (const [k, v] of Object.entries(env)) {
		if (!k.startsWith('ELBSHIP_'))
			bad.push(`${k} is not an elbship setting`);
		else if (known.size > 0 && !known.has(k))
			bad.push(`${k} is not read by elbship (src/core/settings.c)`);
		if (fnOf(v) !== 'Fn::If' || !isNoValue(v['Fn::If'][2]))
			bad.push(`${k} is not !If [cond, value, AWS::NoValue] (elbship refuses an empty setting)`);
		else {
			const c = (t.Conditions || {})[v['Fn::If'][0]];
			const val = v['Fn::If'][1];
			if (fnOf(val) === 'Ref' && !JSON.stringify(c).includes(JSON.stringify({ Ref: val.Ref })))
				bad.push(`${k}: its condition does not test ${val.Ref}`);
		}
	}
	for (const need of ['ELBSHIP_ES_URL', 'ELBSHIP_LOGSTASH_URL', 'ELBSHIP_ES_INDEX', 'ELBSHIP_ES_PIPELINE',
		'ELBSHIP_ES_USERNAME', 'ELBSHIP_LABELS', 'ELBSHIP_BATCH_DOCS', 'ELBSHIP_BATCH_BYTES',
		'ELBSHIP_DEADLINE_MARGIN', 'ELBSHIP_LOG_LEVEL', 'ELBSHIP_ES_AWS_SIGV4'])
		if (env[need] === undefined)
			bad.push(`${need} is not settable`);
	const rule = JSON.stringify((t.Rules || {}).OneSink || '');
	if (!rule.includes('"EsUrl"') || !rule.includes('"LogstashUrl"'))
		bad.push('no rule requiring exactly one of EsUrl and LogstashUrl');
	return bad;
});

check('the ELB log delivery bucket policy: account principals from the mapping, the service principal elsewhere, TLS only', (t) => {
	const bad = [];
	const R = t.Resources;
	const acc = R.ElbDeliveryPolicyAccount;
	const svc = R.ElbDeliveryPolicyService;
	if (!acc || !svc)
		return ['missing ElbDeliveryPolicyAccount / ElbDeliveryPolicyService'];
	if (acc.Condition !== 'ElbAccountRegion' || svc.Condition !== 'ElbServicePrincipalRegion')
		bad.push('conditions are not ElbAccountRegion / ElbServicePrincipalRegion');
	if (!same(t.Conditions.ElbServicePrincipalRegion, { 'Fn::Not': [{ Condition: 'ElbAccountRegion' }] }))
		bad.push('ElbServicePrincipalRegion is not the negation of ElbAccountRegion');
	const target = `arn:\${AWS::Partition}:s3:::${BUCKET}/\${LogPrefix}AWSLogs/\${AWS::AccountId}/*`;
	for (const [p, principal] of [[acc, 'account'], [svc, 'service']]) {
		if (!same(p.Properties.Bucket, { Ref: 'LogBucket' }))
			bad.push(`${principal}: not on LogBucket`);
		const st = asList(p.Properties.PolicyDocument.Statement);
		const elb = st.find((s) => s.Sid === 'ElbLogDelivery');
		if (!elb) {
			bad.push(`${principal}: no ElbLogDelivery statement`);
			continue;
		}
		if (elb.Effect !== 'Allow' || !same(asList(elb.Action), ['s3:PutObject']) || subText(elb.Resource) !== target)
			bad.push(`${principal}: ElbLogDelivery must allow s3:PutObject on ${target}`);
		if (principal === 'account') {
			const a = elb.Principal && elb.Principal.AWS;
			const s = a && a['Fn::Sub'];
			if (!Array.isArray(s) || s[0] !== 'arn:${AWS::Partition}:iam::${ElbAccountId}:root' ||
			    !same(s[1].ElbAccountId, { 'Fn::FindInMap': ['ElbAccounts', { Ref: 'AWS::Region' }, 'AccountId'] }))
				bad.push('account: principal is not the ElbAccounts account of the region');
		} else if (!same(elb.Principal, { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' }))
			bad.push('service: principal is not logdelivery.elasticloadbalancing.amazonaws.com');
		const deny = st.find((s) => s.Effect === 'Deny' && same(((s.Condition || {}).Bool || {})['aws:SecureTransport'], 'false'));
		if (!deny || deny.Principal !== '*')
			bad.push(`${principal}: no deny of non-TLS requests`);
		for (const s of st)
			if (s.Effect === 'Allow' && (s.Principal === '*' || same(s.Principal, { AWS: '*' })))
				bad.push(`${principal}: public Allow statement ${s.Sid}`);
	}
	return bad;
});

check('the ElbAccounts mapping is AWS\'s documented table (12-digit strings) and the region conditions list exactly its regions', (t) => {
	const bad = [];
	const m = (t.Mappings || {}).ElbAccounts || {};
	for (const [r, id] of Object.entries(ELB_ACCOUNTS))
		if (!m[r] || m[r].AccountId !== id)
			bad.push(`${r}: ${JSON.stringify(m[r] && m[r].AccountId)}, documented ${id}`);
	for (const [r, v] of Object.entries(m)) {
		if (ELB_ACCOUNTS[r] === undefined)
			bad.push(`${r} is not in AWS's table`);
		if (typeof v.AccountId !== 'string' || !/^[0-9]{12}$/.test(v.AccountId))
			bad.push(`${r}: AccountId ${JSON.stringify(v.AccountId)} is not a 12-digit string (quote it in YAML)`);
	}
	const regions = [];
	walk(['ElbAccountRegion1', 'ElbAccountRegion2', 'ElbAccountRegion3'].map((c) => t.Conditions[c]), (x) => {
		if (fnOf(x) === 'Fn::Equals' && same(x['Fn::Equals'][0], { Ref: 'AWS::Region' }))
			regions.push(x['Fn::Equals'][1]);
	});
	if (!same(regions.slice().sort(), Object.keys(m).sort()))
		bad.push(`region conditions list ${regions.length} regions, the mapping ${Object.keys(m).length}`);
	if (!same(t.Conditions.ElbAccountRegion, { 'Fn::Or': [{ Condition: 'ElbAccountRegion1' },
		{ Condition: 'ElbAccountRegion2' }, { Condition: 'ElbAccountRegion3' }] }))
		bad.push('ElbAccountRegion is not the Or of ElbAccountRegion1-3');
	return bad;
});

check('the log bucket: public access blocked, BucketOwnerEnforced, SSE (AES256, optional KMS), lifecycle expiration, optional versioning', (t) => {
	const bad = [];
	const b = t.Resources.LogBucket.Properties;
	const pab = b.PublicAccessBlockConfiguration || {};
	for (const k of ['BlockPublicAcls', 'BlockPublicPolicy', 'IgnorePublicAcls', 'RestrictPublicBuckets'])
		if (pab[k] !== true)
			bad.push(`${k} is not true`);
	if (!same(b.OwnershipControls, { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] }))
		bad.push('ownership is not BucketOwnerEnforced');
	const sse = ((b.BucketEncryption || {}).ServerSideEncryptionConfiguration || [])[0] || {};
	if (!same((sse.ServerSideEncryptionByDefault || {}).SSEAlgorithm, { 'Fn::If': ['BucketKms', 'aws:kms', 'AES256'] }))
		bad.push('SSE is not AES256 unless BucketKms');
	if (t.Parameters.BucketKmsKeyArn.Default !== '')
		bad.push('KMS is not optional');
	const rule = ((b.LifecycleConfiguration || {}).Rules || [])[0] || {};
	if (rule.Status !== 'Enabled' || !same(rule.ExpirationInDays, { Ref: 'LogExpirationDays' }))
		bad.push('no enabled expiration rule from LogExpirationDays');
	if (!isIfNoValue(b.VersioningConfiguration, 'BucketVersioned'))
		bad.push('versioning is not optional');
	if (b.AccessControl !== undefined)
		bad.push('legacy ACL set');
	const dp = t.Resources.LogBucket.DeletionPolicy;
	if (dp !== 'Retain')
		bad.push('the bucket (log data) is not retained when the stack goes');
	return bad;
});

check('S3 notifications: s3:ObjectCreated:* under the log prefix, to the function (direct) or the queue (SQS)', (t) => {
	const bad = [];
	const n = t.Resources.LogBucket.Properties.NotificationConfiguration;
	let seen = 0;
	for (const [key, cond, target] of [['LambdaConfigurations', 'IsDirect', 'Function'],
		['QueueConfigurations', 'IsSqs', 'Queue']]) {
		const v = n[key];
		if (!isIfNoValue(v, cond)) {
			bad.push(`${key} not under ${cond}`);
			continue;
		}
		walk(v['Fn::If'][1], (x) => {
			if (!isObj(x) || x.Event === undefined)
				return;
			seen++;
			if (x.Event !== 's3:ObjectCreated:*')
				bad.push(`${key}: event ${x.Event}`);
			const want = target === 'Function' ? { 'Fn::GetAtt': ['Function', 'Arn'] } :
			    { 'Fn::GetAtt': ['NotificationQueue', 'Arn'] };
			if (!same(x[target], want))
				bad.push(`${key}: target ${JSON.stringify(x[target])}`);
			const rules = (((x.Filter || {}).S3Key || {}).Rules || []);
			const prefix = rules.find((r) => r.Name === 'prefix');
			if (!prefix || subText(prefix.Value) !== '${LogPrefix}AWSLogs/')
				bad.push(`${key}: filter prefix is not \${LogPrefix}AWSLogs/`);
		});
	}
	if (seen === 0)
		bad.push('no notification');
	return bad;
});

check('the security group: no ingress, egress only HTTPS and the sink port', (t) => {
	const bad = [];
	const sg = t.Resources.FunctionSecurityGroup;
	if (!sg)
		return ['no FunctionSecurityGroup'];
	if (sg.Properties.SecurityGroupIngress !== undefined)
		bad.push('has ingress rules');
	const eg = asList(sg.Properties.SecurityGroupEgress);
	if (eg.length === 0)
		bad.push('no egress rules (the default would allow everything)');
	walk(eg, (x) => {
		if (!isObj(x) || x.IpProtocol === undefined)
			return;
		const port443 = x.FromPort === 443 && x.ToPort === 443;
		const sink = same(x.FromPort, { Ref: 'SinkPort' }) && same(x.ToPort, { Ref: 'SinkPort' });
		if (x.IpProtocol !== 'tcp' || (!port443 && !sink))
			bad.push(`egress ${JSON.stringify(x)}`);
	});
	if (!same(sg.Properties.VpcId, { Ref: 'VpcId' }))
		bad.push('not in VpcId');
	const ep = t.Resources.S3GatewayEndpoint;
	if (!ep || ep.Properties.VpcEndpointType !== 'Gateway' ||
	    subText(ep.Properties.ServiceName) !== 'com.amazonaws.${AWS::Region}.s3' ||
	    !same(ep.Properties.RouteTableIds, { Ref: 'RouteTableIds' }))
		bad.push('the S3 endpoint is not a gateway endpoint for S3 in RouteTableIds');
	return bad;
});

check('outputs: bucket, function, role, and the queues under their conditions', (t) => {
	const bad = [];
	const O = t.Outputs || {};
	for (const n of ['BucketName', 'BucketArn', 'FunctionName', 'FunctionArn', 'FunctionRoleArn'])
		if (!O[n] || O[n].Condition !== undefined)
			bad.push(`${n} missing or conditional`);
	for (const [n, c] of [['NotificationQueueUrl', 'IsSqs'], ['NotificationQueueArn', 'IsSqs'],
		['DeadLetterQueueUrl', 'IsSqs'], ['DeadLetterQueueArn', 'IsSqs'],
		['FailureQueueUrl', 'IsDirect'], ['FailureQueueArn', 'IsDirect']])
		if (!O[n] || O[n].Condition !== c)
			bad.push(`${n} missing or not under ${c}`);
	return bad;
});

/* What the function puts in its EMF invocation line (somewhere under src/,
 * src/lambda/lambda.c today) and the default namespace (src/core/settings.c). */
function emfFacts() {
	const read = (f) => {
		const p = path.join(ROOT, f);
		return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : '';
	};
	const all = (d) => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
	    e.isDirectory() ? all(path.join(d, e.name)) : /\.c$/.test(e.name) ? [path.join(d, e.name)] : []);
	const src = path.join(ROOT, 'src');
	const lambda = fs.existsSync(src) ? all(src).map((f) => fs.readFileSync(f, 'utf8')).join('\n') : '';
	const settings = read('src/core/settings.c');
	const m = /ELBSHIP_METRICS_NAMESPACE[\s\S]*?\(default ([A-Za-z0-9._/#:-]+)[;)]/.exec(settings);
	return { undelivered: lambda.includes('"Undelivered"'),
		byFunctionName: lambda.includes('\\"Dimensions\\":[[\\"FunctionName\\"]]'),
		namespace: m ? m[1] : null };
}

check('alarms: function errors, throttles, the function\'s Undelivered EMF metric (namespace from MetricsNamespace, none when "off"), the dead-letter / on-failure queue holding messages, the oldest queued event\'s age; each notifies AlarmTopicArn when set', (t) => {
	const bad = [];
	const R = t.Resources;
	const fn = { Name: 'FunctionName', Value: { Ref: 'Function' } };
	const emf = emfFacts();
	const want = {
		FunctionErrorsAlarm: [undefined, 'AWS/Lambda', 'Errors', fn, 'Sum'],
		FunctionThrottlesAlarm: [undefined, 'AWS/Lambda', 'Throttles', fn, 'Sum'],
		UndeliveredAlarm: ['EmitsMetrics', { 'Fn::If': ['HasMetricsNamespace', { Ref: 'MetricsNamespace' }, emf.namespace] },
			'Undelivered', fn, 'Sum'],
		DeadLetterQueueAlarm: ['IsSqs', 'AWS/SQS', 'ApproximateNumberOfMessagesVisible',
			{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['NotificationDeadLetterQueue', 'QueueName'] } }, 'Maximum'],
		QueueAgeAlarm: ['IsSqs', 'AWS/SQS', 'ApproximateAgeOfOldestMessage',
			{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['NotificationQueue', 'QueueName'] } }, 'Maximum'],
		FailureQueueAlarm: ['IsDirect', 'AWS/SQS', 'ApproximateNumberOfMessagesVisible',
			{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['FailureQueue', 'QueueName'] } }, 'Maximum'],
	};
	if (!emf.undelivered || !emf.byFunctionName || emf.namespace === null)
		bad.push(`src/: the function's EMF line has no Undelivered metric by FunctionName, or no default namespace (${JSON.stringify(emf)})`);
	const topic = { 'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }] };
	for (const [name, [cond, ns, metric, dim, stat]] of Object.entries(want)) {
		const a = R[name];
		if (!a || a.Type !== 'AWS::CloudWatch::Alarm') {
			bad.push(`no alarm ${name}`);
			continue;
		}
		const p = a.Properties;
		if (a.Condition !== cond)
			bad.push(`${name}: Condition ${a.Condition}, want ${cond}`);
		if (!same(p.Namespace, ns) || p.MetricName !== metric || !same(p.Dimensions, [dim]) || p.Statistic !== stat)
			bad.push(`${name}: not ${stat} of ${JSON.stringify(ns)} ${metric} by ${dim.Name}`);
		if (!same(p.AlarmActions, topic) || !same(p.OKActions, topic))
			bad.push(`${name}: AlarmActions and OKActions are not AlarmTopicArn when set`);
		if (p.TreatMissingData !== 'notBreaching')
			bad.push(`${name}: missing data (an idle function or queue) is not "notBreaching"`);
		const thr = name === 'QueueAgeAlarm' ? { Ref: 'QueueAgeAlarmSeconds' } : 0;
		if (!same(p.Threshold, thr) || !/^GreaterThan/.test(p.ComparisonOperator))
			bad.push(`${name}: threshold ${JSON.stringify(p.Threshold)} ${p.ComparisonOperator}`);
		if (typeof p.AlarmDescription !== 'object' && typeof p.AlarmDescription !== 'string')
			bad.push(`${name}: no AlarmDescription`);
	}
	if (!same((t.Conditions || {}).EmitsMetrics, { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'MetricsNamespace' }, 'off'] }] }))
		bad.push('EmitsMetrics is not MetricsNamespace != "off"');
	for (const [n, r] of Object.entries(R))
		if (r.Type === 'AWS::CloudWatch::Alarm' && want[n] === undefined)
			bad.push(`alarm ${n} is not checked here`);
	const doc = path.join(ROOT, 'docs', 'deploy.md');
	const text = fs.existsSync(doc) ? fs.readFileSync(doc, 'utf8') : '';
	for (const n of Object.keys(want))
		if (!text.includes(`\`${n}\``))
			bad.push(`docs/deploy.md does not document ${n}`);
	return bad;
});

check('the dead-letter and on-failure queues are kept when the stack is deleted or the queue replaced (Retain)', (t) => {
	const bad = [];
	for (const n of ['NotificationDeadLetterQueue', 'FailureQueue']) {
		const r = t.Resources[n];
		if (!r)
			bad.push(`no ${n}`);
		else if (r.DeletionPolicy !== 'Retain' || r.UpdateReplacePolicy !== 'Retain')
			bad.push(`${n}: DeletionPolicy ${r.DeletionPolicy}, UpdateReplacePolicy ${r.UpdateReplacePolicy}`);
	}
	return bad;
});

check('deploy/README.md lists every parameter with its default, and nothing else', (t) => {
	const bad = [];
	const f = path.join(path.dirname(FILE), 'README.md');
	if (!fs.existsSync(f))
		return [`no ${f}`];
	const rows = new Map();
	for (const m of fs.readFileSync(f, 'utf8').matchAll(/^\| `([A-Za-z0-9]+)` \| ([^|]*) \|/gm))
		rows.set(m[1], m[2].trim());
	for (const [n, p] of Object.entries(t.Parameters || {})) {
		const want = p.Default === undefined ? 'required' : p.Default === '' ? 'empty' : `\`${p.Default}\``;
		if (!rows.has(n))
			bad.push(`${n} is not in the table`);
		else if (rows.get(n) !== want)
			bad.push(`${n}: README says ${rows.get(n)}, the template ${want}`);
	}
	for (const n of rows.keys())
		if ((t.Parameters || {})[n] === undefined)
			bad.push(`README lists ${n}, which the template does not declare`);
	return bad;
});

check('the template can be deployed: under 51,200 bytes (CloudFormation\'s inline limit), or every documented aws cloudformation deploy (and deploy.sh) sends it through S3 (--s3-bucket)', (t, text) => {
	const n = Buffer.byteLength(text);
	if (n <= 51200)
		return [];
	const bad = [];
	const docs = [path.join(path.dirname(FILE), 'README.md'), path.join(ROOT, 'docs', 'deploy.md'),
		path.join(ROOT, 'README.md')];
	for (const f of docs) {
		if (!fs.existsSync(f))
			continue;
		/* command lines, their continuation lines joined */
		const lines = fs.readFileSync(f, 'utf8').replace(/\\\n/g, ' ').split('\n');
		for (const l of lines)
			if (/^\s*aws cloudformation deploy\b/.test(l) && !/--s3-bucket/.test(l))
				bad.push(`${n} bytes, but ${path.relative(ROOT, f)} deploys it inline: ${l.trim().slice(0, 80)}...`);
	}
	const sh = path.join(path.dirname(FILE), 'deploy.sh');
	if (fs.existsSync(sh) && !/deploy_cmd=\(aws cloudformation deploy[^)]*--s3-bucket/.test(fs.readFileSync(sh, 'utf8')))
		bad.push(`${n} bytes, but deploy.sh's aws cloudformation deploy has no --s3-bucket`);
	return bad;
});

/* ---- proofs that the checks catch defects --------------------------------- */

/* Copies of the template text with one defect each: [name, from, to,
 * expected validator error (regexp) or the name prefix of the check that
 * must fail]. */
const VALIDATOR_DEFECTS = [
	['a typo\'d property (MemmorySize)', '      MemorySize: !Ref MemorySize\n',
		'      MemmorySize: !Ref MemorySize\n', /has no property MemmorySize \(did you mean MemorySize\?\)/],
	['a missing required property (the function\'s Role)', '      Role: !GetAtt FunctionRole.Arn\n', '',
		/AWS::Lambda::Function requires property Role/],
	['a typo in a nested property type (BlockPublicAcl)', '        BlockPublicAcls: true\n',
		'        BlockPublicAcl: true\n', /PublicAccessBlockConfiguration has no property BlockPublicAcl/],
	['an unknown resource type', 'Type: AWS::Lambda::EventSourceMapping\n',
		'Type: AWS::Lambda::EventSourceMaping\n', /unknown resource type AWS::Lambda::EventSourceMaping/],
	['a wrong shape (a list for an integer)', 'BatchSize: !Ref QueueBatchSize\n', 'BatchSize: [4]\n',
		/BatchSize: expects an integer, got a list/],
	['a string where a list is expected', 'Architectures: [!Ref Architecture]\n', 'Architectures: !Ref Architecture\n',
		/Architectures: expects list of string, but Ref returns a string/],
	['a value outside an enumeration', 'ObjectOwnership: BucketOwnerEnforced\n', 'ObjectOwnership: BucketOwner\n',
		/"BucketOwner" is not one of/],
	['a GetAtt attribute the type lacks', 'Value: !GetAtt LogBucket.Arn\n', 'Value: !GetAtt LogBucket.ARN\n',
		/AWS::S3::Bucket has no attribute ARN/],
	['a Ref to an undeclared name', 'VpcId: !Ref VpcId\n', 'VpcId: !Ref VpcID\n', /Ref to undeclared VpcID/],
	['an undeclared variable in Fn::Sub', "!Sub '${LogPrefix}AWSLogs/'", "!Sub '${LogPrefx}AWSLogs/'",
		/Ref to undeclared LogPrefx/],
	['an unknown condition in Fn::If', '!If [HasEsIndex,', '!If [HasEsIndx,', /unknown condition "HasEsIndx"/],
	['a DependsOn on a conditional resource from an unconditional one (the origin template\'s trap, "fixed" naively)',
		'    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n',
		'    DeletionPolicy: Retain\n    UpdateReplacePolicy: Retain\n    DependsOn: [InvokePermission]\n',
		/InvokePermission exists only when IsDirect holds/],
	['a parameter default its own AllowedPattern refuses', '    Default: elb-logs\n', '    Default: ELB_Logs\n',
		/BucketNamePrefix.Default: "ELB_Logs" does not match AllowedPattern/],
	['an unknown IAM statement element', "                  Action: 'sqs:SendMessage'\n",
		"                  Actions: 'sqs:SendMessage'\n", /unknown statement element \(did you mean Action\?\)/],
];

const CHECK_DEFECTS = [
	['the permission SourceArn taken from the bucket resource (a cycle)',
		"      SourceArn: !Sub 'arn:${AWS::Partition}:s3:::${BucketNamePrefix}-${AWS::AccountId}-${AWS::Region}'\n",
		'      SourceArn: !GetAtt LogBucket.Arn\n',
		['the permission SourceArn', 'the resource dependency graph']],
	['the bucket no longer waiting for the invoke permission',
		"        InvokePermission: !If [IsDirect, !Ref InvokePermission, '']\n", '',
		['the bucket depends on']],
	['s3:GetObject on Resource "*"',
		"                Resource: !Sub 'arn:${AWS::Partition}:s3:::${BucketNamePrefix}-${AWS::AccountId}-${AWS::Region}/${LogPrefix}AWSLogs/*'\n",
		"                Resource: '*'\n",
		['no IAM Allow statement has Resource "*"', 'the role: assumable']],
	['a wildcard action (ec2:*, as in the origin template)', "                    - 'ec2:DescribeSubnets'\n",
		"                    - 'ec2:*'\n", ['no IAM Allow statement has a wildcard action']],
	['a nodejs runtime', '      Runtime: provided.al2023\n', '      Runtime: nodejs20.x\n',
		['the function: provided.al2023', 'no nodejs']],
	['logs:CreateLogGroup on every log group', "                Action: ['logs:CreateLogStream', 'logs:PutLogEvents']\n",
		"                Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents']\n",
		['the role: assumable']],
	['an optional environment variable set even when empty', '          ELBSHIP_ES_INDEX: !If [HasEsIndex, !Ref EsIndex, !Ref \'AWS::NoValue\']\n',
		'          ELBSHIP_ES_INDEX: !Ref EsIndex\n', ['every environment variable']],
	['an unquoted ELB account id (YAML reads it as a number)', "us-east-2: {AccountId: '033677994240'}",
		'us-east-2: {AccountId: 033677994240}', ['the ElbAccounts mapping']],
	['public access no longer blocked', '        RestrictPublicBuckets: true\n', '        RestrictPublicBuckets: false\n',
		['the log bucket: public access blocked']],
	['the security group in every case', '    Type: AWS::EC2::SecurityGroup\n    Condition: InVpc\n',
		'    Type: AWS::EC2::SecurityGroup\n', ['VPC placement, the S3 gateway endpoint']],
	['the dead-letter queue deleted with the stack', '    Condition: IsSqs\n    DeletionPolicy: Retain\n',
		'    Condition: IsSqs\n    DeletionPolicy: Delete\n', ['the dead-letter and on-failure queues are kept']],
	['the Undelivered alarm on a fixed namespace (MetricsNamespace ignored)',
		'      Namespace: !If [HasMetricsNamespace, !Ref MetricsNamespace, elbship]\n', '      Namespace: elbship\n',
		['alarms: function errors']],
	['an alarm that never notifies the topic', "      OKActions: !If [HasAlarmTopic, [!Ref AlarmTopicArn], !Ref 'AWS::NoValue']\n", '',
		['alarms: function errors']],
	['an unused parameter', '\nParameters:\n', '\nParameters:\n  Unused:\n    Type: String\n    Default: x\n    Description: never used by anything here\n',
		['every parameter is used']],
];

/* ---- main ------------------------------------------------------------------ */

function runChecks(tpl, text) {
	const res = [];
	for (const c of CHECKS) {
		let problems;
		try {
			problems = c.fn(tpl, text);
		} catch (e) {
			problems = [`threw ${e.message}`];
		}
		res.push({ name: c.name, problems });
	}
	return res;
}

function main() {
	const text = fs.readFileSync(FILE, 'utf8');
	const tpl = V.loadTemplate(FILE);
	const out = [];
	const report = (ok, name, why = []) => {
		out.push(`${ok ? 'ok' : 'not ok'} - ${name}`);
		for (const w of why.slice(0, 12))
			out.push(`#   ${w}`);
	};

	for (const r of runChecks(tpl, text))
		report(r.problems.length === 0, r.name, r.problems);

	const spec = V.loadSpec();
	const mutate = (from, to) => {
		if (!text.includes(from))
			return null;
		return text.replace(from, to);
	};
	for (const [what, from, to, re] of VALIDATOR_DEFECTS) {
		const name = `the validator rejects ${what}`;
		const m = mutate(from, to);
		if (m === null) {
			report(false, name, [`the text to change is not in the template: ${JSON.stringify(from)}`]);
			continue;
		}
		let errors;
		try {
			errors = V.validate(V.parseTemplate(m, 'copy'), spec);
		} catch (e) {
			errors = [e.message];
		}
		const hit = errors.some((e) => re.test(e));
		report(hit, name, hit ? [] : [`errors: ${errors.length ? errors.join(' | ') : 'none'}`]);
	}
	for (const [what, from, to, expect] of CHECK_DEFECTS) {
		const name = `the checks catch ${what}`;
		const m = mutate(from, to);
		if (m === null) {
			report(false, name, [`the text to change is not in the template: ${JSON.stringify(from)}`]);
			continue;
		}
		let failed;
		try {
			failed = runChecks(V.parseTemplate(m, 'copy'), m).filter((r) => r.problems.length > 0)
			    .map((r) => r.name);
		} catch (e) {
			report(false, name, [`the copy does not parse: ${e.message.split('\n')[0]}`]);
			continue;
		}
		const missing = expect.filter((e) => !failed.some((f) => f.startsWith(e)));
		report(missing.length === 0, name, missing.map((e) => `did not fail: ${e}...`));
	}
	process.stdout.write(out.join('\n') + '\n');
}

main();
