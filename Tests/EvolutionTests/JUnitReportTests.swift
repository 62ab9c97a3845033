import CrucibleCore
@testable import Evolution
import Testing

/// The JUnit report reader: real reports' shapes read into test cases, and what is not well-formed XML refused with
/// its line.
struct JUnitReportTests {
    private func tasks(_ xml: String) throws(XMLEvents.Malformed) -> [TaskResult] {
        try JUnitReport.tasks(Array(xml.utf8))
    }

    private func malformed(_ xml: String) -> String? {
        do {
            _ = try tasks(xml)
            return nil
        } catch {
            return error.description
        }
    }

    @Test("a report as pytest writes it: declaration, suites, properties, escaped failure text, CDATA output, skips, errors")
    func pytestShape() throws {
        let xml = """
            \u{FEFF}<?xml version="1.0" encoding="utf-8"?>
            <!-- written by a test runner -->
            <testsuites name="pytest tests"><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4">
            <properties><property name="python" value="3.11"/></properties>
            <testcase classname="tests.test_router" name="test_ok" time="0.001" />
            <testcase classname="tests.test_router" name="test_score[a&amp;b]" time="0.002">
              <failure message="assert 1 == 2&#10;  where 1 = score()">def test_score():
            &gt;       assert score() == 2
            E       assert 1 == 2 &lt;- here</failure>
              <system-out><![CDATA[printed <raw> & unescaped]]></system-out>
            </testcase>
            <testcase classname="tests.test_router" name="test_later"><skipped type="pytest.skip" message="later">skip</skipped></testcase>
            <testcase classname='tests.test_io' name='test_setup'><error message='fixture failed'/></testcase>
            </testsuite></testsuites>
            """
        let read = try tasks(xml)
        #expect(read.map(\.id) == ["tests.test_router.test_ok", "tests.test_router.test_score[a&b]", "tests.test_router.test_later",
                                   "tests.test_io.test_setup"])
        #expect(read.map(\.passed) == [true, false, nil, false])
        #expect(read.map(\.score) == [1, 0, nil, 0])
        let detail = try #require(read[1].detail)
        #expect(detail.hasPrefix("assert 1 == 2\n  where 1 = score()\ndef test_score():"))
        #expect(detail.contains(">       assert score() == 2"))
        #expect(detail.hasSuffix("assert 1 == 2 <- here"))
        #expect(read[3].detail == "fixture failed")
    }

    @Test("character references and CDATA in failure text; a test case without names is numbered")
    func references() throws {
        let read = try tasks("<testsuite><testcase><failure>&#x41;&#66;&quot;&apos;<![CDATA[ a < b ]]></failure></testcase></testsuite>")
        #expect(read == [TaskResult(id: "test0", passed: false, score: 0, detail: "AB\"' a < b")])
    }

    @Test("what is not well-formed XML is refused, naming the line and the fault")
    func refused() {
        #expect(malformed("<testsuite>\n<testcase>\n</testsuite>") == "line 3: </testsuite> closes <testcase>")
        #expect(malformed("<testsuite>&nbsp;</testsuite>") == "line 1: the entity &nbsp; is not defined")
        #expect(malformed("<testsuite a=1/>") == "line 1: the value of the attribute a of <testsuite> is not quoted")
        #expect(malformed("<testsuite a='1' a='2'/>") == "line 1: the attribute a of <testsuite> is repeated")
        #expect(malformed("<testsuite a='<'/>") == "line 1: a `<` inside an attribute's value")
        #expect(malformed("<a/><b/>") == "line 1: a second root element")
        #expect(malformed("junk<a/>") == "line 1: text outside the root element")
        #expect(malformed("<a>\n<b>") == "line 2: <b> is not closed at the end of the document")
        #expect(malformed("<a><!-- never closed") == "line 1: a comment is not closed")
        #expect(malformed("<a>AT&T</a>") == "line 1: a `&` that starts no reference (write &amp;)")
        #expect(malformed("  \n") == "line 2: no root element")
        #expect(malformed("</a>") == "line 1: </a> closes no element")
        #expect(malformed("<a>&#0;</a>") == "line 1: &#0; is not a character")
    }

    @Test("line ends and attribute white space are normalized; long references, comments in a document type")
    func normalizing() throws {
        let xml = "<!DOCTYPE r [<!-- it's a \"comment\" ] -->]>\r\n<testsuite>\r\n<testcase name='a\tb\nc'>"
            + "<failure>one\r\ntwo\rthree &#0000000000065;</failure></testcase></testsuite>"
        let read = try tasks(xml)
        #expect(read.map(\.id) == ["a b c"])
        #expect(read.first?.detail == "one\ntwo\nthree A")
    }

    @Test("what an XML reader must refuse: signs in references, unknown markup, too deep, UTF-16; a construct left open names its line")
    func limits() {
        #expect(malformed("<a>&#+65;</a>") == "line 1: &#+65; is not a character")
        #expect(malformed("<!ELEMENT a ANY><a/>") == "line 1: markup `<!` that starts no comment, CDATA section or document type")
        #expect(malformed(String(repeating: "<a>", count: 300)) == "line 1: elements nest deeper than 256")
        #expect((try? tasks(String(repeating: "<a>", count: 256) + String(repeating: "</a>", count: 256))) != nil)
        #expect((try? JUnitReport.tasks([0xFF, 0xFE, 0x3C, 0x00])) == nil)
        #expect(malformed("<a>\n<!-- open\n\n") == "line 2: a comment is not closed")
        #expect(malformed("<a>\n<![CDATA[ open\n") == "line 2: a CDATA section is not closed")
    }

    @Test("a failure's text is kept to its first 8 KiB, however long the report's")
    func longFailure() throws {
        let text = String(repeating: "x", count: 100_000) + "END"
        let read = try tasks("<testsuite><testcase name='a'><failure>\(text)</failure></testcase></testsuite>")
        let detail = try #require(read.first?.detail)
        #expect(detail.count <= 2_001 && !detail.contains("END"))
    }

    @Test("entities a document type declares are never expanded: a billion-laughs report is refused at once")
    func documentTypeEntities() {
        var xml = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
        for level in 1...9 { xml += "<!ENTITY lol\(level) \"" + String(repeating: "&lol\(level - 1 == 0 ? "" : String(level - 1));", count: 10) + "\">\n" }
        xml += "]>\n<testsuite><testcase name=\"x\"><failure>&lol9;</failure></testcase></testsuite>"
        #expect(malformed(xml) == "line 14: the entity &lol9; is not defined")
        // A document type without entities is passed over.
        #expect((try? tasks("<!DOCTYPE testsuite SYSTEM \"junit.dtd\">\n<testsuite><testcase name='a'/></testsuite>"))?.map(\.id) == ["a"])
    }
}
