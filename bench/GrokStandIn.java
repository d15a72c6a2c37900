/*
 * bench/GrokStandIn.java: a lower bound for the CPU a Logstash node, or an
 * Elasticsearch ingest node, spends on ALB log lines: the grok and the JSON
 * work alone, measured, with the regex engine both of them use.
 *
 * Logstash's grok filter (through JRuby's Regexp) and Elasticsearch's
 * ingest grok processor (org.elasticsearch.grok) both run Joni, the Java
 * port of Oniguruma; Debian packages it (libjruby-joni-java), and JSON is
 * written and read with Jackson's streaming API (libjackson2-core-java),
 * which both of them use underneath.  Neither Logstash nor Elasticsearch
 * runs here, so this program does the part of their work that grows with
 * the bytes of log and that a stand-in can do faithfully:
 *
 *   logstash  read the gzip object and split it into lines (the s3 input
 *             and line codec), make an event (message, @timestamp,
 *             @version), grok it with the ALB expression of
 *             bench/peers_grok.txt alone (unanchored search, as grok does),
 *             set the captures as nested fields with their :long/:float
 *             conversions, write the event as JSON behind a create action,
 *             and gzip each ~20 MiB _bulk body at level 1 (the
 *             elasticsearch output's target_bulk_bytes and default
 *             compression_level) to /dev/null.
 *   ingest    what the AWS integration's elb_logs pipeline does first with
 *             each document Elastic Serverless Forwarder sends: parse the
 *             _source JSON into a map, set ecs.version, rename message to
 *             event.original, grok it with the four expressions combined
 *             as Elasticsearch combines them ("(?:p1)|(?:p2)|..."), set the
 *             captures, the event.* and cloud.* sets, drop _tmp and
 *             event.original, write the document back as JSON.  The
 *             forwarder-shaped documents are made outside the measured
 *             time.
 *
 * Not done, so real nodes spend more: Logstash's event objects, queue and
 * pipeline, its date filter; the pipeline's uri_parts, user_agent, date,
 * two geoip lookups, convert, split and painless steps, and Elasticsearch's
 * indexing itself.
 *
 *   java -cp /usr/share/java/joni.jar:/usr/share/java/jcodings.jar:\
 *       /usr/share/java/jackson-core.jar:DIR GrokStandIn MODE FILE.gz PATTERNS
 *
 * Prints one JSON object: mode, lines, matched (per expression), unmatched,
 * cpu_s (process CPU, user+sys, of the measured pass after a warm-up pass
 * over the first WARM_BYTES), out_bytes.
 */
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.jcodings.specific.UTF8Encoding;
import org.joni.NameEntry;
import org.joni.Option;
import org.joni.Regex;
import org.joni.Region;

public final class GrokStandIn {
	private static final long WARM_BYTES = 16L << 20;
	private static final int BULK_BYTES = 20 << 20;
	private static final JsonFactory JSON = new JsonFactory();

	/** One capture: the dotted field it sets and its conversion. */
	private static final class Capture {
		final String field;
		final String type;
		Capture(String field, String type) {
			this.field = field;
			this.type = type;
		}
	}

	/** A compiled grok expression: the regex and what each group sets. */
	private static final class Grok {
		final Regex regex;
		final Capture[] byGroup;
		final int[] firstGroupOf;	/* per alternative: its first capture */
		final int[] altOfGroup;		/* per group: its alternative */

		Grok(Map<String, String> defs, List<String> exprs) {
			List<Capture> caps = new ArrayList<>();
			StringBuilder all = new StringBuilder();
			firstGroupOf = new int[exprs.size()];
			for (int i = 0; i < exprs.size(); i++) {
				/* Elasticsearch's combinePatterns(): (?:p1)|(?:p2)|... */
				if (exprs.size() > 1)
					all.append(i == 0 ? "" : "|").append("(?:");
				firstGroupOf[i] = caps.size();
				all.append(expand(exprs.get(i), defs, caps, 0));
				if (exprs.size() > 1)
					all.append(")");
			}
			byte[] p = all.toString().getBytes(StandardCharsets.UTF_8);
			regex = new Regex(p, 0, p.length, Option.NONE, UTF8Encoding.INSTANCE);
			byGroup = new Capture[regex.numberOfCaptures() + 1];
			altOfGroup = new int[byGroup.length];
			for (Iterator<NameEntry> it = regex.namedBackrefIterator(); it.hasNext();) {
				NameEntry e = it.next();
				String name = new String(e.name, e.nameP, e.nameEnd - e.nameP, StandardCharsets.US_ASCII);
				int n = Integer.parseInt(name.substring(1));
				int g = e.getBackRefs()[0];
				byGroup[g] = caps.get(n);
				int alt = 0;
				while (alt + 1 < firstGroupOf.length && firstGroupOf[alt + 1] <= n)
					alt++;
				altOfGroup[g] = alt;
			}
		}

		private static final Pattern REF = Pattern.compile("%\\{(\\w+)(?::([\\w.@]+))?(?::(\\w+))?\\}");

		/* %{NAME} -> (?:def), %{NAME:field[:type]} -> (?<gN>def) */
		static String expand(String expr, Map<String, String> defs, List<Capture> caps, int depth) {
			if (depth > 20)
				throw new IllegalStateException("grok: recursion in " + expr);
			Matcher m = REF.matcher(expr);
			StringBuilder out = new StringBuilder();
			int last = 0;
			while (m.find()) {
				out.append(expr, last, m.start());
				String def = defs.get(m.group(1));
				if (def == null)
					throw new IllegalStateException("grok: no definition for " + m.group(1));
				if (m.group(2) == null) {
					out.append("(?:").append(expand(def, defs, caps, depth + 1)).append(')');
				} else {
					int n = caps.size();
					caps.add(new Capture(m.group(2), m.group(3)));
					out.append("(?<g").append(n).append('>')
					    .append(expand(def, defs, caps, depth + 1)).append(')');
				}
				last = m.end();
			}
			return out.append(expr, last, expr.length()).toString();
		}

		/** Searches line; on a match sets the captures into doc and
		 * returns the alternative's index, else -1. */
		int apply(byte[] line, int len, Map<String, Object> doc) {
			org.joni.Matcher m = regex.matcher(line, 0, len);
			if (m.search(0, len, Option.DEFAULT) < 0)
				return -1;
			Region r = m.getEagerRegion();
			int alt = -1;
			for (int g = 1; g < r.numRegs; g++) {
				if (r.beg[g] < 0)
					continue;
				Capture c = byGroup[g];
				if (c == null)
					continue;
				if (alt < 0)
					alt = altOfGroup[g];
				String v = new String(line, r.beg[g], r.end[g] - r.beg[g], StandardCharsets.UTF_8);
				Object val = v;
				if ("long".equals(c.type) || "int".equals(c.type))
					val = Long.parseLong(v);
				else if ("float".equals(c.type) || "double".equals(c.type))
					val = Double.parseDouble(v);
				set(doc, c.field, val);
			}
			return alt;
		}
	}

	@SuppressWarnings("unchecked")
	static void set(Map<String, Object> doc, String path, Object v) {
		Map<String, Object> m = doc;
		int from = 0;
		for (int dot; (dot = path.indexOf('.', from)) >= 0; from = dot + 1) {
			String k = path.substring(from, dot);
			Object o = m.get(k);
			if (!(o instanceof Map)) {
				o = new LinkedHashMap<String, Object>();
				m.put(k, o);
			}
			m = (Map<String, Object>) o;
		}
		m.put(path.substring(from), v);
	}

	@SuppressWarnings("unchecked")
	static Object get(Map<String, Object> doc, String path) {
		Object o = doc;
		for (String k : path.split("\\.")) {
			if (!(o instanceof Map))
				return null;
			o = ((Map<String, Object>) o).get(k);
		}
		return o;
	}

	@SuppressWarnings("unchecked")
	static void write(JsonGenerator g, Object v) throws IOException {
		if (v instanceof Map) {
			g.writeStartObject();
			for (Map.Entry<String, Object> e : ((Map<String, Object>) v).entrySet()) {
				g.writeFieldName(e.getKey());
				write(g, e.getValue());
			}
			g.writeEndObject();
		} else if (v instanceof List) {
			g.writeStartArray();
			for (Object o : (List<Object>) v)
				write(g, o);
			g.writeEndArray();
		} else if (v instanceof String) {
			g.writeString((String) v);
		} else if (v instanceof Long) {
			g.writeNumber((Long) v);
		} else if (v instanceof Double) {
			g.writeNumber((Double) v);
		} else if (v == null) {
			g.writeNull();
		} else {
			g.writeString(v.toString());
		}
	}

	static Object read(JsonParser p) throws IOException {
		switch (p.currentToken()) {
		case START_OBJECT: {
			Map<String, Object> m = new LinkedHashMap<>();
			while (p.nextToken() == JsonToken.FIELD_NAME) {
				String k = p.getCurrentName();
				p.nextToken();
				m.put(k, read(p));
			}
			return m;
		}
		case START_ARRAY: {
			List<Object> l = new ArrayList<>();
			while (p.nextToken() != JsonToken.END_ARRAY)
				l.add(read(p));
			return l;
		}
		case VALUE_STRING:
			return p.getText();
		case VALUE_NUMBER_INT:
			return p.getLongValue();
		case VALUE_NUMBER_FLOAT:
			return p.getDoubleValue();
		case VALUE_TRUE:
			return Boolean.TRUE;
		case VALUE_FALSE:
			return Boolean.FALSE;
		default:
			return null;
		}
	}

	static long cpuNanos() {
		return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
		    .getProcessCpuTime();
	}

	/** Counts, shared by both modes. */
	static final class Tally {
		long lines, unmatched, outBytes;
		long[] matched;
		long cpu;
	}

	/** The Logstash stand-in over FILE up to limit bytes (-1: all). */
	static void logstash(String file, Grok grok, long limit, Tally t, OutputStream sink) throws IOException {
		long c0 = cpuNanos();
		byte[] action = "{\"create\":{\"_index\":\"logs-aws.elb_logs-default\"}}\n".getBytes(StandardCharsets.UTF_8);
		ByteArrayOutputStream bulk = new ByteArrayOutputStream(BULK_BYTES + (1 << 20));
		long seen = 0;
		try (BufferedReader in = new BufferedReader(new InputStreamReader(
		    new GZIPInputStream(new FileInputStream(file), 1 << 16), StandardCharsets.UTF_8), 1 << 20)) {
			for (String line; (line = in.readLine()) != null;) {
				seen += line.length() + 1;
				if (limit >= 0 && seen > limit)
					break;
				t.lines++;
				Map<String, Object> ev = new LinkedHashMap<>();
				ev.put("message", line);
				ev.put("@timestamp", Instant.now().toString());
				ev.put("@version", "1");
				byte[] b = line.getBytes(StandardCharsets.UTF_8);
				int alt = grok.apply(b, b.length, ev);
				if (alt < 0) {
					t.unmatched++;
					List<Object> tags = new ArrayList<>();
					tags.add("_grokparsefailure");
					ev.put("tags", tags);
				} else {
					t.matched[alt]++;
				}
				bulk.write(action);
				try (JsonGenerator g = JSON.createGenerator(bulk)) {
					write(g, ev);
				}
				bulk.write('\n');
				if (bulk.size() >= BULK_BYTES)
					t.outBytes += flush(bulk, sink);
			}
		}
		if (bulk.size() > 0)
			t.outBytes += flush(bulk, sink);
		t.cpu += cpuNanos() - c0;
	}

	static long flush(ByteArrayOutputStream bulk, OutputStream sink) throws IOException {
		ByteArrayOutputStream z = new ByteArrayOutputStream(bulk.size() / 4);
		try (GZIPOutputStream gz = new GZIPOutputStream(z, 1 << 16) {
			{
				def.setLevel(1);
			}
		}) {
			bulk.writeTo(gz);
		}
		bulk.reset();
		z.writeTo(sink);
		return z.size();
	}

	/** A forwarder-shaped _source for line (made outside the measured time). */
	static byte[] esfDoc(String line, long offset) throws IOException {
		ByteArrayOutputStream o = new ByteArrayOutputStream(line.length() + 700);
		try (JsonGenerator g = JSON.createGenerator(o)) {
			g.writeStartObject();
			g.writeStringField("@timestamp", "2026-12-07T13:00:00.123456Z");
			g.writeStringField("message", line);
			g.writeObjectFieldStart("log");
			g.writeNumberField("offset", offset);
			g.writeObjectFieldStart("file");
			g.writeStringField("path", "https://elb-logs.s3.eu-west-1.amazonaws.com/AWSLogs/111122223333/"
			    + "elasticloadbalancing/eu-west-1/2025/11/03/111122223333_elasticloadbalancing_eu-west-1_app."
			    + "bench-alb.0123456789abcdef_20251103T1400Z_10.0.4.30_esf.log.gz");
			g.writeEndObject();
			g.writeEndObject();
			g.writeObjectFieldStart("aws");
			g.writeObjectFieldStart("s3");
			g.writeObjectFieldStart("bucket");
			g.writeStringField("name", "elb-logs");
			g.writeStringField("arn", "arn:aws:s3:::elb-logs");
			g.writeEndObject();
			g.writeObjectFieldStart("object");
			g.writeStringField("key", "AWSLogs/111122223333/elasticloadbalancing/eu-west-1/2025/11/03/"
			    + "111122223333_elasticloadbalancing_eu-west-1_app.bench-alb.0123456789abcdef_20251103T1400Z_"
			    + "10.0.4.30_esf.log.gz");
			g.writeEndObject();
			g.writeEndObject();
			g.writeEndObject();
			g.writeObjectFieldStart("cloud");
			g.writeStringField("provider", "aws");
			g.writeStringField("region", "eu-west-1");
			g.writeObjectFieldStart("account");
			g.writeStringField("id", "111122223333");
			g.writeEndObject();
			g.writeEndObject();
			g.writeArrayFieldStart("tags");
			g.writeString("forwarded");
			g.writeString("aws-elb_logs");
			g.writeEndArray();
			g.writeObjectFieldStart("data_stream");
			g.writeStringField("type", "logs");
			g.writeStringField("dataset", "aws.elb_logs");
			g.writeStringField("namespace", "default");
			g.writeEndObject();
			g.writeObjectFieldStart("event");
			g.writeStringField("dataset", "aws.elb_logs");
			g.writeEndObject();
			g.writeEndObject();
		}
		return o.toByteArray();
	}

	/** The ingest stand-in: batches of forwarder documents, each measured. */
	@SuppressWarnings("unchecked")
	static void ingest(String file, Grok grok, long limit, Tally t) throws IOException {
		final int batch = 4096;
		List<byte[]> docs = new ArrayList<>(batch);
		long seen = 0;
		try (BufferedReader in = new BufferedReader(new InputStreamReader(
		    new GZIPInputStream(new FileInputStream(file), 1 << 16), StandardCharsets.UTF_8), 1 << 20)) {
			String line = "";
			while (line != null) {
				docs.clear();
				while (docs.size() < batch && (line = in.readLine()) != null) {
					if (limit >= 0 && seen + line.length() + 1 > limit) {
						line = null;
						break;
					}
					docs.add(esfDoc(line, seen));
					seen += line.length() + 1;
				}
				long c0 = cpuNanos();
				ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
				for (byte[] d : docs) {
					t.lines++;
					Map<String, Object> doc;
					try (JsonParser p = JSON.createParser(d)) {
						p.nextToken();
						doc = (Map<String, Object>) read(p);
					}
					set(doc, "ecs.version", "8.11.0");
					if (get(doc, "event.original") == null)
						set(doc, "event.original", doc.remove("message"));
					byte[] b = ((String) get(doc, "event.original")).getBytes(StandardCharsets.UTF_8);
					int alt = grok.apply(b, b.length, doc);
					if (alt < 0) {
						t.unmatched++;
						set(doc, "error.message", "Provided Grok expressions do not match field value");
					} else {
						t.matched[alt]++;
					}
					set(doc, "event.kind", "event");
					set(doc, "cloud.provider", "aws");
					boolean http = doc.get("http") != null;
					set(doc, "aws.elb.protocol", http ? "http" : "tcp");
					List<Object> cat = new ArrayList<>();
					cat.add(http ? "web" : "network");
					set(doc, "event.category", cat);
					Object st = get(doc, "http.response.status_code");
					if (st instanceof Long)
						set(doc, "event.outcome", (Long) st < 400 ? "success" : "failure");
					Object trace = get(doc, "aws.elb.trace_id");
					if (trace != null)
						set(doc, "trace.id", trace);
					doc.remove("_tmp");
					((Map<String, Object>) doc.get("event")).remove("original");
					try (JsonGenerator g = JSON.createGenerator(out)) {
						write(g, doc);
					}
					if (out.size() > (1 << 20)) {
						t.outBytes += out.size();
						out.reset();
					}
				}
				t.outBytes += out.size();
				t.cpu += cpuNanos() - c0;
			}
		}
	}

	public static void main(String[] args) throws IOException {
		if (args.length != 3 || !(args[0].equals("logstash") || args[0].equals("ingest"))) {
			System.err.println("usage: GrokStandIn logstash|ingest FILE.gz PATTERNS");
			System.exit(2);
		}
		Map<String, String> defs = new HashMap<>();
		List<String> exprs = new ArrayList<>();
		for (String l : Files.readAllLines(Paths.get(args[2]), StandardCharsets.UTF_8)) {
			if (l.isEmpty() || l.startsWith("#"))
				continue;
			int sp = l.indexOf(' ');
			String name = l.substring(0, sp), body = l.substring(sp + 1);
			if (name.equals("PATTERN"))
				exprs.add(body);
			else
				defs.put(name, body);
		}
		boolean ls = args[0].equals("logstash");
		/* Logstash: the ALB expression alone (a user's grok for ALB lines);
		 * ingest: the pipeline's four, combined. */
		Grok grok = new Grok(defs, ls ? exprs.subList(2, 3) : exprs);
		Tally warm = new Tally(), t = new Tally();
		warm.matched = new long[exprs.size()];
		t.matched = new long[exprs.size()];
		try (OutputStream sink = new FileOutputStream("/dev/null")) {
			if (ls) {
				logstash(args[1], grok, WARM_BYTES, warm, sink);
				logstash(args[1], grok, -1, t, sink);
			} else {
				ingest(args[1], grok, WARM_BYTES, warm);
				ingest(args[1], grok, -1, t);
			}
		}
		StringBuilder m = new StringBuilder();
		for (long n : t.matched)
			m.append(m.length() == 0 ? "" : ",").append(n);
		if (ls)	/* one expression: its matches are the ALB ones */
			m = new StringBuilder("0,0," + t.matched[0] + ",0");
		System.out.printf("{\"mode\":\"%s\",\"lines\":%d,\"matched\":[%s],\"unmatched\":%d,"
		    + "\"cpu_s\":%.3f,\"out_bytes\":%d,\"java\":\"%s\"}%n", args[0], t.lines, m, t.unmatched,
		    t.cpu / 1e9, t.outBytes, System.getProperty("java.version"));
	}
}
