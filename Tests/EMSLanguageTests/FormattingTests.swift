import XCTest

@testable import EMSLanguage

final class FormattingTests: EMSTestCase {
    private func rows(_ objects: [[(String, PSValue)]], typeName: String = "Row") -> PSValue {
        .array(objects.map { .object(PSObject(typeName: typeName, properties: $0.map { PSProperty($0.0, $0.1) })) })
    }

    func testDefaultOutputUsesDefaultDisplayProperties() throws {
        XCTAssertEqual(
            try output("Get-Thing"),
            """

            Name                   Bindings                Enabled
            ----                   --------                -------
            Default Frontend MBX01 {0.0.0.0:25, [::]:25}   True
            Client Frontend MBX01  {0.0.0.0:587, [::]:587} True
            Relay MBX01            {10.1.2.3:25}           False

            """)
    }

    func testDefaultOutputWithoutDisplayPropertiesListsLargeObjects() {
        let small = PSObject(typeName: "Small", properties: [PSProperty("A", 1), PSProperty("B", "x")])
        let large = PSObject(typeName: "Large", properties: (1...5).map { PSProperty("P\($0)", .int($0)) })
        XCTAssertEqual(
            PSFormatter.render(values: [.object(small)], width: 80),
            ["", "A B", "- -", "1 x", ""])
        XCTAssertEqual(
            PSFormatter.render(values: [.object(large)], width: 80),
            ["", "P1 : 1", "P2 : 2", "P3 : 3", "P4 : 4", "P5 : 5", ""])
        XCTAssertEqual(PSFormatter.render(values: ["a\nb", 5, true, .null, 2.5, ["x", "y"]], width: 80), ["a", "b", "5", "True", "2.5", "x", "y"])
        XCTAssertEqual(
            PSFormatter.render(values: [.hashtable([(key: "Add", value: "1.2.3.4")])], width: 80),
            ["", "Name Value", "---- -----", "Add  1.2.3.4", ""])
    }

    func testFormatListValues() throws {
        session.variables["rows"] = rows([
            [
                ("Name", "One"), ("Empty", .array([])), ("Nothing", .null), ("Flag", false), ("Count", 3),
                ("Size", .typed(PSTyped(text: "36 MB (37,748,736 bytes)", number: 37_748_736, typeName: "ByteQuantifiedSize"))),
            ],
            [("Name", "Two"), ("Empty", ["a"]), ("Nothing", "x"), ("Flag", true), ("Count", 12), ("Size", .null)],
        ])
        XCTAssertEqual(
            try output("$rows | Format-List"),
            """

            Name    : One
            Empty   : {}
            Nothing :
            Flag    : False
            Count   : 3
            Size    : 36 MB (37,748,736 bytes)

            Name    : Two
            Empty   : {a}
            Nothing : x
            Flag    : True
            Count   : 12
            Size    :

            """)
        XCTAssertEqual(try output("$rows | fl Na*,count"), "\nName  : One\nCount : 3\n\nName  : Two\nCount : 12\n")
        XCTAssertEqual(try output("$rows[0] | fl -Property *"), try output("$rows[0] | fl"))
        XCTAssertEqual(try session.run("$rows[0] | fl Name,Absent"), ["", "Name : One", ""])
    }

    func testFormatListDoesNotTruncateLongValues() throws {
        let long = String(repeating: "x", count: 300)
        session.variables["o"] = rows([[("Value", .string(long))]])
        session.width = 40
        XCTAssertEqual(try session.run("$o | fl"), ["", "Value : " + long, ""])
    }

    func testFormatTableAlignsNumbersRight() throws {
        session.variables["rows"] = rows([
            [("Name", "alpha"), ("Count", 5), ("Ratio", 0.5), ("Tags", ["a", "b"])],
            [("Name", "b"), ("Count", 1234), ("Ratio", .null), ("Tags", .array([]))],
        ])
        XCTAssertEqual(
            try output("$rows | ft"),
            """

            Name  Count Ratio Tags
            ----  ----- ----- ----
            alpha     5   0.5 {a, b}
            b      1234       {}

            """)
        XCTAssertEqual(
            try output("$rows | Format-Table Count,Name -AutoSize"),
            """

            Count Name
            ----- ----
                5 alpha
             1234 b

            """)
        XCTAssertEqual(
            try session.run("$rows | ft Name,@{Label='Double';Expression={$_.Count * 2}},Missing"),
            ["", "Name  Double Missing", "----  ------ -------", "alpha     10", "b       2468", ""])
        XCTAssertEqual(try session.run("$rows | ft Name -HideTableHeaders"), ["", "alpha", "b", ""])
    }

    func testFormatTableTruncatesToTheSessionWidth() throws {
        session.variables["rows"] = rows([
            [("Name", "Default Frontend MBX01"), ("Bindings", ["0.0.0.0:25", "[::]:25", "10.0.0.1:2525"])]
        ])
        session.width = 30
        XCTAssertEqual(
            try session.run("$rows | ft"),
            ["", "Name           Bindings", "----           --------", "Default Front… {0.0.0.0:25, […", ""])
        XCTAssertEqual(
            try session.run("$rows | ft -Wrap"),
            [
                "", "Name           Bindings", "----           --------", "Default        {0.0.0.0:25,", "Frontend MBX01 [::]:25,",
                "               10.0.0.1:2525}", "",
            ])
    }

    func testFormatEnumerationLimitWhenSet() throws {
        session.variables["rows"] = rows([[("Tags", ["a", "b", "c", "d", "e"])]])
        XCTAssertEqual(try session.run("$rows | fl"), ["", "Tags : {a, b, c, d, e}", ""])
        _ = try session.run("$FormatEnumerationLimit = 4")
        XCTAssertEqual(try session.run("$rows | fl"), ["", "Tags : {a, b, c, d...}", ""])
    }

    func testFormatCommandsPassScalarsThrough() throws {
        XCTAssertEqual(try session.run("'plain' | fl"), ["plain"])
        XCTAssertEqual(try session.run("'plain' | ft"), ["plain"])
    }

    // MARK: - ConvertTo-Json

    func testConvertToJsonSingleObject() throws {
        XCTAssertEqual(
            try output("Get-Thing 'Relay MBX01' | select Name,Bindings,Enabled,MaxMessageSize,Missing | ConvertTo-Json"),
            """
            {
              "Name": "Relay MBX01",
              "Bindings": [
                "10.1.2.3:25"
              ],
              "Enabled": false,
              "MaxMessageSize": "10 MB (10,485,760 bytes)",
              "Missing": null
            }
            """)
    }

    func testConvertToJsonSeveralInputsBecomeAnArray() throws {
        XCTAssertEqual(
            try output("Get-Thing | select Name,Enabled -First 2 | ConvertTo-Json"),
            """
            [
              {
                "Name": "Default Frontend MBX01",
                "Enabled": true
              },
              {
                "Name": "Client Frontend MBX01",
                "Enabled": true
              }
            ]
            """)
    }

    func testConvertToJsonCompressDepthAndScalars() throws {
        XCTAssertEqual(
            try eval("Get-Thing 'Relay MBX01' | select Name,Bindings,Enabled | ConvertTo-Json -Compress"),
            [#"{"Name":"Relay MBX01","Bindings":["10.1.2.3:25"],"Enabled":false}"#])
        XCTAssertEqual(try eval("@{a=@{b=@{c=@{d=1}}}} | ConvertTo-Json -Compress"), [#"{"a":{"b":{"c":"System.Collections.Hashtable"}}}"#])
        XCTAssertEqual(try eval("@{a=@{b=@{c=1}}} | ConvertTo-Json -Compress -Depth 1"), [#"{"a":{"b":"System.Collections.Hashtable"}}"#])
        XCTAssertEqual(try eval(#"'say "hi"\' | ConvertTo-Json"#), [#""say \"hi\"\\""#])
        XCTAssertEqual(try eval("1,2.5,$null,$true | ConvertTo-Json -Compress"), ["[1,2.5,null,true]"])
        XCTAssertEqual(try eval("ConvertTo-Json -InputObject @() -Compress"), ["[]"])
        XCTAssertEqual(try eval("ConvertTo-Json @{} "), ["{}"])
        XCTAssertEqual(
            try eval("Get-Thing | Select-Object -First 1 | ConvertTo-Json -Compress -Depth 0").first?.text.hasPrefix(
                #"{"Name":"Default Frontend MBX01","Identity":"MBX01\\Default Frontend MBX01","Bindings":["0.0.0.0:25","[::]:25"]"#), true)
    }

    func testJsonWriterIndentsNestedObjects() {
        let inner = PSObject(typeName: "Inner", properties: [PSProperty("X", 1)])
        let outer = PSObject(typeName: "Outer", properties: [PSProperty("Inner", .object(inner)), PSProperty("List", [1, 2])])
        XCTAssertEqual(
            JSONWriter(maxDepth: 2, compress: false).write(.object(outer)),
            """
            {
              "Inner": {
                "X": 1
              },
              "List": [
                1,
                2
              ]
            }
            """)
    }
}
