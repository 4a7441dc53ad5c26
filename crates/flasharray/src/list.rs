//! The parameters every REST 2.x list endpoint takes: a filter, a sort, a page, and whether
//! to count everything that matched.

/// One page of a list, found and ordered by the array.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListParams {
    /// An array filter expression, such as `name='*db*'`.
    pub filter: Option<String>,
    /// A field, `-field` for descending, as the array takes it.
    pub sort: Option<String>,
    pub limit: Option<u32>,
    pub offset: Option<u32>,
    pub total_item_count: bool,
}

impl ListParams {
    pub(crate) fn to_params(&self) -> Vec<(&'static str, String)> {
        let mut params = Vec::new();
        if let Some(filter) = &self.filter {
            params.push(("filter", filter.clone()));
        }
        if let Some(sort) = &self.sort {
            params.push(("sort", sort.clone()));
        }
        if let Some(limit) = self.limit {
            params.push(("limit", limit.to_string()));
        }
        if let Some(offset) = self.offset {
            params.push(("offset", offset.to_string()));
        }
        if self.total_item_count {
            params.push(("total_item_count", "true".to_owned()));
        }
        params
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_is_set_is_sent() {
        assert!(ListParams::default().to_params().is_empty());
        let params = ListParams {
            filter: Some("name='*a*'".into()),
            sort: Some("-name".into()),
            limit: Some(50),
            offset: Some(100),
            total_item_count: true,
        }
        .to_params();
        assert_eq!(
            params,
            [
                ("filter", "name='*a*'".to_owned()),
                ("sort", "-name".to_owned()),
                ("limit", "50".to_owned()),
                ("offset", "100".to_owned()),
                ("total_item_count", "true".to_owned()),
            ]
        );
    }
}
