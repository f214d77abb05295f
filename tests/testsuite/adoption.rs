//! Adopting an existing policy repository: links written for the site the policies came from.

use crate::support::BookTest;

fn linking_book(site_extra: &str) -> BookTest {
    let book = BookTest::new(&format!(
        "title = \"Adopted\"\n{site_extra}[scope]\ngaps = \"allow\"\n"
    ));
    let front = |t: &str| format!("title: {t}\nowner: CISO\nreview: annual\n");
    book.doc(
        "policies/privacy-policy.md",
        &front("Privacy"),
        "## Scope\n\nAll data.",
    )
    .doc(
        "policies/physical/malware.md",
        &front("Malware"),
        "## Scope\n\nAll hosts.",
    )
    .doc(
        "policies/index-page.md",
        &front("Links"),
        "See [privacy](/privacy-policy/), [malware](/physical/malware.html), \
             [malware scope](/physical/malware.md#scope), [by id](/malware) and \
             [the old blog](/blog/2021/hello/).",
    );
    book
}

#[test]
fn root_absolute_links_resolve_to_documents_or_the_base_url_origin() {
    let book = linking_book("base_url = \"https://handbook.example.com/policies/\"\n");
    let out = book.run(&["build"]).success();
    assert!(
        !out.stderr().contains("root of a web site"),
        "{}",
        out.stderr()
    );
    let page = book.read("public/documents/index-page.html");
    for href in [
        "href=\"../documents/privacy-policy.html\"",
        "href=\"../documents/malware.html\"",
        "href=\"../documents/malware.html#scope\"",
        "href=\"https://handbook.example.com/blog/2021/hello/\"",
    ] {
        assert!(page.contains(href), "missing {href} in\n{page}");
    }
    assert!(
        page.contains("<a href=\"../documents/malware.html\">by id</a>"),
        "by id: {page}"
    );

    // Without base_url the link stays as written, and check says where it is.
    let book = linking_book("");
    let err = book.run(&["check"]).success().stderr();
    assert!(
        err.contains("warning: policies/index-page.md:")
            && err.contains("the link `/blog/2021/hello/` is written from the root of a web site, and names no document of this handbook"),
        "{err}"
    );
    // An anchor that is not there is caught as for any link.
    book.doc(
        "policies/index-page.md",
        "title: Links\nowner: CISO\nreview: annual\n",
        "[gone](/physical/malware.html#nowhere)",
    );
    let err = book.run(&["check"]).fails_with(1).stderr();
    assert!(err.contains("#nowhere"), "{err}");
}
