// The Apache Avro Java side of the differential test (tests/java/test_avro_java.py).
//
// One long-lived process per Avro line: it reads one JSON request per line on stdin and writes
// one JSON answer per line on stdout, so thousands of cases cost a single JVM start. It is
// compiled at test time against the Avro jar of the line under test (fetch_avro_jars.py), and
// written against the API both 1.11 and 1.12 share: the 1.12-only NameValidator is reached by
// reflection.
//
// Requests:
//   {"op": "version"}
//       -> {"ok": true, "version": "<Avro version>"}
//   {"op": "parse", "schema": "<JSON text>", "names": N, "validate_defaults": B}
//       -> {"ok": true} or {"ok": false, "error": "<exception class>: <message>"}
//   {"op": "compat", "reader": "<JSON text>", "writer": "<JSON text>", "names": N,
//    "validate_defaults": B}
//       -> {"ok": true, "compatible": B, "error": "<checker exception, if any>"}
//          or {"ok": false, "error": ...} when either schema does not parse.
// N is "default" (new Schema.Parser()), "strict" (NameValidator.STRICT_VALIDATOR) or "none"
// (NameValidator.NO_VALIDATION on 1.12, setValidate(false) on 1.11).
//
// How Confluent Schema Registry configures the parser (AvroSchema.getParser and
// AvroSchemaProvider.parseSchemaOrElseThrow):
//   CP 7.x (Avro 1.11): new Schema.Parser(), setValidateDefaults(isNew && (the provider's
//     avro.validate.defaults || normalize)); names always validated by 1.11's default rules.
//   CP 8.0.4+ (Avro 1.12): new Schema.Parser(isNew ? STRICT_VALIDATOR : NO_VALIDATION),
//     setValidateDefaults(isNew).
// Compatibility (AvroSchema.isBackwardCompatible): SchemaCompatibility
// .checkReaderWriterCompatibility(reader, writer); any exception it throws is an incompatibility.

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;

public final class AvroOracle {
  private static final ObjectMapper JSON = new ObjectMapper();

  private AvroOracle() {}

  public static void main(String[] args) throws Exception {
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    String line;
    while ((line = in.readLine()) != null) {
      ObjectNode answer;
      try {
        answer = answer(JSON.readTree(line));
      } catch (Throwable e) {
        // A broken request, or an Error inside Avro (StackOverflowError on deep input): report
        // it and keep serving, so one case cannot take the whole run down.
        answer = failure(e);
      }
      out.println(JSON.writeValueAsString(answer));
      out.flush();
    }
  }

  private static ObjectNode answer(JsonNode request) throws Exception {
    String op = request.get("op").asText();
    ObjectNode answer = JSON.createObjectNode();
    switch (op) {
      case "version":
        answer.put("ok", true);
        answer.put("version", Schema.class.getPackage().getImplementationVersion());
        return answer;
      case "parse":
        try {
          parser(request).parse(request.get("schema").asText());
        } catch (Throwable e) {
          return failure(e);
        }
        answer.put("ok", true);
        return answer;
      case "compat":
        Schema reader;
        Schema writer;
        try {
          reader = parser(request).parse(request.get("reader").asText());
          writer = parser(request).parse(request.get("writer").asText());
        } catch (Throwable e) {
          return failure(e);
        }
        answer.put("ok", true);
        try {
          SchemaCompatibility.SchemaPairCompatibility result =
              SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
          answer.put(
              "compatible",
              result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        } catch (Throwable e) {
          // Confluent counts any exception from the checker as an incompatibility.
          answer.put("compatible", false);
          answer.put("error", describe(e));
        }
        return answer;
      default:
        throw new IllegalArgumentException("unknown op " + op);
    }
  }

  private static Schema.Parser parser(JsonNode request) throws Exception {
    String names = request.path("names").asText("default");
    Schema.Parser parser;
    if (names.equals("default")) {
      parser = new Schema.Parser();
    } else {
      Class<?> validator = nameValidatorClass();
      if (validator == null) {
        // Avro 1.11: no NameValidator; only on/off.
        if (names.equals("strict")) {
          throw new IllegalArgumentException("names=strict needs Avro 1.12");
        }
        parser = new Schema.Parser();
        Schema.Parser.class.getMethod("setValidate", boolean.class).invoke(parser, false);
      } else {
        String field = names.equals("strict") ? "STRICT_VALIDATOR" : "NO_VALIDATION";
        Object chosen = validator.getField(field).get(null);
        parser = Schema.Parser.class.getConstructor(validator).newInstance(chosen);
      }
    }
    parser.setValidateDefaults(request.path("validate_defaults").asBoolean(false));
    return parser;
  }

  private static Class<?> nameValidatorClass() {
    try {
      return Class.forName("org.apache.avro.NameValidator");
    } catch (ClassNotFoundException e) {
      return null;
    }
  }

  private static ObjectNode failure(Throwable e) {
    ObjectNode answer = JSON.createObjectNode();
    answer.put("ok", false);
    answer.put("error", describe(e));
    return answer;
  }

  private static String describe(Throwable e) {
    return e.getClass().getName() + ": " + e.getMessage();
  }
}
