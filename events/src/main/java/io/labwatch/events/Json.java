package io.labwatch.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one JSON dialect of labwatch's topics: ISO-8601 instants, null fields left out, unknown
 * fields ignored (so a newer writer's additions do not break an older reader).
 */
public final class Json {

  private static final ObjectMapper MAPPER = build(true);

  /**
   * @param canonicalize share field-name strings between documents: right for fixed names, wrong
   *     for maps keyed by data (MACs, IPs), where every new key would grow the table
   */
  private static ObjectMapper build(boolean canonicalize) {
    JsonFactory factory =
        JsonFactory.builder()
            // String.intern() of every new field name is a global lock; fixed names need not it
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .configure(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES, canonicalize)
            .build();
    return JsonMapper.builder(factory)
        .addModule(new JavaTimeModule())
        .addModule(IsoInstants.module()) // (after JavaTimeModule: the later one wins)
        .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .disable(DeserializationFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, null))
        .build();
  }

  private Json() {}

  public static ObjectReader reader(Class<?> type) {
    return MAPPER.readerFor(type);
  }

  public static ObjectWriter writer() {
    return MAPPER.writer();
  }

  /** A one-line JSON text of {@code value}; for printing, not for topics (use the serde). */
  public static String toJson(Object value) {
    try {
      return MAPPER.writeValueAsString(value);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalArgumentException("cannot write JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** The dialect for documents whose field names are data (maps keyed by MAC or IP). */
  public static ObjectMapper mapperForDataKeys() {
    return build(false);
  }

  /** A fresh copy of the mapper, for callers that need trees or their own settings. */
  public static ObjectMapper mapper() {
    return MAPPER.copy();
  }
}
