import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Attr;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;
import org.xml.sax.ErrorHandler;
import org.xml.sax.SAXParseException;

/**
 * Reads one document per line on standard input (base64 of its bytes), parses it with the
 * JDK's conforming XML parser and answers one JSON line: the element tree, or the parser's
 * error. Any warning or error fails the document, and a DOCTYPE is refused, so only plain
 * well-formed XML gets through. One JVM serves a whole test file.
 */
public class XmlCheck {
  public static void main(String[] args) throws Exception {
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
    factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
    factory.setExpandEntityReferences(false);
    factory.setCoalescing(true);
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      byte[] document = Base64.getDecoder().decode(line.trim());
      DocumentBuilder builder = factory.newDocumentBuilder();
      builder.setErrorHandler(new ErrorHandler() {
        public void warning(SAXParseException e) throws SAXParseException { throw e; }
        public void error(SAXParseException e) throws SAXParseException { throw e; }
        public void fatalError(SAXParseException e) throws SAXParseException { throw e; }
      });
      try {
        Element root = builder.parse(new ByteArrayInputStream(document)).getDocumentElement();
        StringBuilder out = new StringBuilder("{\"ok\":true,\"root\":");
        element(root, out);
        System.out.println(out.append('}'));
      } catch (Exception e) {
        StringBuilder out = new StringBuilder("{\"ok\":false,\"error\":");
        string(String.valueOf(e.getMessage()), out);
        System.out.println(out.append('}'));
      }
    }
  }

  private static void element(Element e, StringBuilder out) {
    out.append("{\"name\":");
    string(e.getTagName(), out);
    out.append(",\"attributes\":{");
    NamedNodeMap attributes = e.getAttributes();
    for (int i = 0; i < attributes.getLength(); i++) {
      Attr a = (Attr) attributes.item(i);
      if (i > 0) out.append(',');
      string(a.getName(), out);
      out.append(':');
      string(a.getValue(), out);
    }
    out.append("},\"text\":");
    StringBuilder text = new StringBuilder();
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE) text.append(n.getNodeValue());
    }
    string(text.toString(), out);
    out.append(",\"children\":[");
    boolean first = true;
    for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n.getNodeType() != Node.ELEMENT_NODE) continue;
      if (!first) out.append(',');
      first = false;
      element((Element) n, out);
    }
    out.append("]}");
  }

  /** A JSON string with every character outside printable ASCII as \\uXXXX (surrogate pairs stay pairs). */
  private static void string(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') out.append(c);
      else out.append(String.format("\\u%04x", (int) c));
    }
    out.append('"');
  }
}
