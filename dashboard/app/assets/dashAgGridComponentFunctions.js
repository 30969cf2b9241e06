// Cell renderers of the index's tables (AG Grid through dash-ag-grid).
var dagcomponentfuncs = (window.dashAgGridComponentFunctions =
    window.dashAgGridComponentFunctions || {});

// A case's title as a link to its page; text only, never HTML from the case file.
dagcomponentfuncs.CaseLink = function (props) {
    if (!props.data) {
        return null;
    }
    return React.createElement(
        "a",
        { href: "/case/" + encodeURIComponent(props.data.id), className: "case-link" },
        props.value
    );
};
