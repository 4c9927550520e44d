//! The portal's front door: search, categories, life events, and the way to check status.

use super::Ctx;
use crate::AppState;
use crate::error::{WebError, render};
use crate::views::Base;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use madoguchi_domain::catalog::Topic;

#[derive(Debug, Clone)]
pub struct TopicLink {
    pub title: String,
    pub description: String,
    pub url: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    base: Base,
    title: String,
    categories: Vec<TopicLink>,
    life_events: Vec<TopicLink>,
}

pub fn topic_links(ctx: &Ctx, topics: &[Topic], param: &str) -> Vec<TopicLink> {
    let lang = ctx.tr.lang.code();
    topics
        .iter()
        .map(|t| TopicLink {
            title: t.title.get(lang).to_owned(),
            description: t
                .description
                .as_ref()
                .map(|d| d.get(lang).to_owned())
                .unwrap_or_default(),
            url: format!("/procedures?{param}={}", t.id),
        })
        .collect()
}

pub async fn show(State(state): State<AppState>, ctx: Ctx) -> Result<Html<String>, WebError> {
    let catalog = &state.portal.catalog;
    let title = ctx.tr.t_with("home-title", &[("ward", ctx.ward(&state))]);
    let page = HomePage {
        base: ctx.base(&state, title.clone()),
        title,
        categories: topic_links(&ctx, &catalog.categories, "category"),
        life_events: topic_links(&ctx, &catalog.life_events, "life_event")
            .into_iter()
            .zip(&catalog.life_events)
            // An event with an interview leads to it; the others list their procedures.
            .map(|(mut link, topic)| {
                if catalog.event(&topic.id).is_some() {
                    link.url = format!("/life-events/{}", topic.id);
                }
                link
            })
            .collect(),
    };
    render(&page, ctx.tr)
}
