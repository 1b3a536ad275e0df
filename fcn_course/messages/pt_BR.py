"""Brazilian Portuguese: every sentence students and instructors read (see ``fcn_course.messages``).

Keys are grouped by area, one section per area, in the order of the package's layers; keep each new key in
its area's section. Values are ``str.format`` templates: ``{name}`` is filled in by the caller, ``{{`` and
``}}`` print braces.
"""

MESSAGES = {
    # --- settings, profiles and environment (config, environment) -------------------------------------------

    # --- data (data, download, synthetic, voc) -----------------------------------------------------------------
    "data.voc_not_found": (
        "Não encontrei o Pascal VOC 2012 em {root}.\n"
        "O curso procura a árvore extraída em {voc} (root é a pasta que CONTÉM VOCdevkit/).\n"
        "Faltam:\n{missing}{hint}\n"
        "Para trabalhar sem o VOC, escolha o perfil demo ({profile_env}=demo antes de abrir o Jupyter): o gêmeo\n"
        "sintético do VOC, em que as FCNs aprendem em minutos numa CPU. Para só conferir que tudo roda, o perfil\n"
        "smoke ({profile_env}=smoke: segundos, nada é aprendido). Ou crie um conjunto sintético com\n"
        "make_synthetic_voc(root).\n"
        "Para obter o VOC (cerca de 2 GB): VOCSubset(..., download=True) ou fcn_course.data.download_voc(root),\n"
        "ou extraia {archive} à mão em {root}."
    ),
    "data.hint_voc2012_folder": "\nParece que você passou a própria pasta VOC2012: use root={root!r}.",
    "data.hint_vocdevkit_folder": "\nParece que você passou a própria pasta VOCdevkit: use root={root!r}.",
    "data.cache_not_an_index": "não contém um índice do subconjunto (uma lista de ids de imagens em 'kept')",
    "data.cache_from_other_data": "foi feito a partir de outros dados (mudou: {changed})",
    "data.cache_unknown_images": "cita imagens que não estão na lista da divisão",
    "data.cache_unreadable": "não pode ser lido ({error})",
    "data.cache_rebuilt": "índice do subconjunto refeito: {path} {problem}",
    "data.cache_not_saved": ("Não consegui salvar o índice do subconjunto ({errors}); ele será recalculado "
                             "da próxima vez."),
    "data.damaged_file": ("{path} não pode ser lido ({error}): o arquivo está danificado (uma cópia ou um "
                          "download interrompido?). Apague-o e chame fcn_course.data.download_voc(root), que "
                          "adiciona os arquivos que faltam e não muda mais nada."),
    "data.listed_files_missing": ("{count} arquivo(s) listado(s) na divisão não existe(m): {files}. Chame "
                                  "fcn_course.data.download_voc(root) para adicionar os arquivos que faltam (nada "
                                  "mais é alterado), ou tire os ids deles do arquivo da divisão."),
    "data.bad_image_set": "image_set deve ser um de {choices}, não {image_set!r}.",
    "data.min_classes_too_high": ("min_classes={min_classes}, mas só {count} classes foram escolhidas ({classes}): "
                                  "nenhuma imagem passaria no filtro. Use min_classes <= {count} (0 mantém todas "
                                  "as imagens)."),
    "data.empty_split": ("{split} não lista nenhuma imagem. Restaure-o a partir do arquivo do VOC "
                         "(download_voc(root, replace=True) reescreve os arquivos do próprio VOC) ou escreva nele "
                         "um id de imagem por linha."),
    "data.nothing_kept": ("{image_set}: nenhuma das {total} imagens de {split} mostra pelo menos "
                          "min_classes={min_classes} de ({classes}). Diminua min_classes ou escolha outras classes."),
    "data.size_mismatch": "{image_id}: a imagem {image_shape} e a máscara {mask_shape} têm tamanhos diferentes.",
    "data.summary": "{image_set}: {kept} de {total} imagens mantidas, com >= {min_classes} de ({classes})",
    "data.summary_first": "; usando as {count} primeiras (max_samples={max_samples})",
    "data.indexing_masks": "indexando as máscaras de {image_set}",
    "data.synthetic_written": "conjunto sintético gerado em {root}",
    "download.incomplete_tree": ("{voc} está incompleto: faltam {missing}. Adicionando os arquivos que faltam a "
                                 "partir do arquivo do VOC; nada do que já está lá é alterado."),
    "download.done": ("Pascal VOC 2012 em {voc}: {added} arquivos adicionados, {replaced} substituídos, {kept} "
                      "mantidos como estavam."),
    "download.and_more": "{shown} e mais {more}",
    "download.restart": ("{partial} não se completou no arquivo certo: baixando {name} de novo, desde o "
                         "início"),
    "download.checksum_mismatch": ("o checksum {algorithm} não confere (veio {got}, esperado {expected}): o "
                                   "arquivo está truncado ou não é o arquivo do VOC 2012"),
    "download.progress": "baixando {name}",
    "download.connection_ended": ("a conexão terminou depois de {received} de {length} bytes; {partial} foi "
                                  "guardado: chame download_voc de novo para continuar dali."),
    "download.archive_without_voc": "{archive} não contém VOCdevkit/VOC2012 com {parts}.",
    "download.unsafe_member": "Recusei extrair {member!r}: ele aponta para fora de {destination}.",
    "download.failed": (
        "Não consegui baixar o Pascal VOC 2012 ({archive}, cerca de 2 GB) em {root}.\n"
        "Tentei:\n{tried}\n"
        "O que você pode fazer:\n"
        "  1. Confira a conexão com a internet e chame download_voc(root) de novo.\n"
        "  2. Obtenha {archive} de outro jeito (um endereço acima no navegador, um colega, um pendrive) e "
        "extraia-o\n"
        "     em {root}, de modo que {voc} contenha JPEGImages/, SegmentationClass/ e\n"
        "     ImageSets/Segmentation/.\n"
        "  3. Trabalhe sem o VOC: o perfil demo ({profile_env}=demo antes de abrir o Jupyter) usa um gêmeo\n"
        "     sintético em que as FCNs aprendem em minutos numa CPU; o perfil smoke ({profile_env}=smoke) só\n"
        "     confere que tudo roda. Ou crie um conjunto sintético com fcn_course.data.make_synthetic_voc(root)."
    ),
    "synthetic.foreign_folder": ("{root} já contém arquivos que o curso não escreveu (não há {marker}); o "
                                 "conjunto sintético vai para uma pasta só dele: esvazie essa pasta ou aponte "
                                 "{data_env} para outro lugar."),
    "voc.unknown_classes": "Classe(s) que não existem no VOC: {unknown}. Nomes válidos: {valid}.",
    "voc.classes_not_a_list": ("classes deve ser uma lista de nomes, por exemplo ('background', 'bus', "
                               "'person'), não {classes!r}."),
    "voc.background_first": ("A primeira classe deve ser 'background' (o índice 0 também recebe todas as classes "
                             "que você não escolheu); veio {classes}. Exemplo: ('background', 'bus', 'person')."),
    "voc.class_repeated": "Cada classe só pode aparecer uma vez; veio {classes}.",
    "voc.mask_not_palette": ("{path}: esperava um PNG de paleta ('P') com índices de classe, veio o modo {mode!r}. "
                             "Máscaras coloridas (RGB) precisam antes voltar a ser índices, com voc_colormap()."),
    # The name students read for each Pascal VOC class (legends, tables): "voc.class.<VOC name>".
    "voc.class.background": "fundo",
    "voc.class.aeroplane": "avião",
    "voc.class.bicycle": "bicicleta",
    "voc.class.bird": "pássaro",
    "voc.class.boat": "barco",
    "voc.class.bottle": "garrafa",
    "voc.class.bus": "ônibus",
    "voc.class.car": "carro",
    "voc.class.cat": "gato",
    "voc.class.chair": "cadeira",
    "voc.class.cow": "vaca",
    "voc.class.diningtable": "mesa",
    "voc.class.dog": "cachorro",
    "voc.class.horse": "cavalo",
    "voc.class.motorbike": "moto",
    "voc.class.person": "pessoa",
    "voc.class.pottedplant": "planta",
    "voc.class.sheep": "ovelha",
    "voc.class.sofa": "sofá",
    "voc.class.train": "trem",
    "voc.class.tvmonitor": "tv/monitor",

    # --- backbones and their ImageNet weights (backbones) --------------------------------------------------
    "backbones.unknown": "backbone desconhecido {name!r}; os backbones conhecidos são: {known}",
    "backbones.no_weights": ("{backbone} não tem pesos da ImageNet no registro do curso; use "
                             "pretrained=False."),
    "backbones.env_not_set": "${env}: não definida",
    "backbones.download_failed": "download de {url}: falhou: {error}",
    "backbones.where_env_folder": "pasta ${env}",
    "backbones.where_env_file": "arquivo ${env}",
    "backbones.where_hub_cache": "cache do torch hub",
    "backbones.file_not_found": "{path} ({where}): não encontrado",
    "backbones.wrong_hash": ("{path} ({where}): encontrado, mas o sha256 dele não começa com {prefix}, como "
                             "promete o nome {file}: não é o arquivo do torchvision (ou está danificado); "
                             "apague-o e baixe-o de novo"),
    "backbones.unusable_file": "{path} ({where}): encontrado, mas inutilizável (apague-o ou substitua-o): {problem}",
    "backbones.weights_help": (
        "Não consegui carregar os pesos da ImageNet do {backbone} (pretrained=True). Tentei:\n"
        "{tried}\n"
        "Arquivo esperado: {file} (pode ser baixado de {url}).\n"
        "Para resolver, escolha um caminho:\n"
        "  - copie {file} para o cache do torch hub: {hub_folder}/\n"
        "  - ou ponha-o numa pasta sua e aponte a variável de ambiente {env} para essa pasta\n"
        "    (ou para o próprio arquivo), por exemplo os.environ['{env}'] = '/caminho/dos/pesos';\n"
        "  - ou treine do zero com pretrained=False (nada é baixado; espere uma mIoU menor)."
    ),
    "backbones.no_conv": "feature_channels: o módulo não tem nenhuma camada Conv2d",

    # --- the run folder, training and predictions (runs, engine, predict, experiments, report) ---------------
    "engine.ingredients_expected": (
        "esperava TrainingIngredients(model_classes, make_optimizer, compute_loss, make_criterion) com as suas "
        "quatro peças (as classes das FCNs num dicionário, por exemplo {{\"alexnet\": FCN_AlexNet}}, e as três "
        "funções do exercício 3), não {given}."),

    # --- figures (plots) ---------------------------------------------------------------------------------------
    "figures.void": "void (ignorado)",
    "figures.epoch": "época",
    "figures.epoch_title": "época {epoch}",
    "figures.best_epoch_iou": "IoU (melhor época)",
    "figures.column.image": "Imagem",
    "figures.column.label": "Rótulo",
    "figures.column.overlay": "Sobreposição",
    "figures.column.prediction": "Predição",
    "figures.column.ground_truth": "Rótulo verdadeiro",
    "figures.samples.item": "item {index}",
    "figures.pixel_frequencies.ylabel": "fração dos pixels",
    "figures.pixel_frequencies.title": "Frequência de cada classe nos pixels de treino (void fora)",
    "figures.metric.loss_mean": "Loss (média ± desvio padrão)",
    "figures.metric.miou_fg": "mIoU sem o fundo",
    "figures.metric.miou": "mIoU (todas as classes)",
    "figures.metric.mdice": "Dice médio",
    "figures.metric.pixel_acc": "Acurácia de pixels",
    "figures.metric.time": "Tempo por época (s)",
    "figures.phase.train": "treino",
    "figures.phase.val": "validação",
    "figures.grid.miou_title": "mIoU de validação (sem o fundo)",
    "figures.grid.loss_title": "perda de treino",
    "figures.grid.loss_ylabel": "entropia cruzada",
    "figures.grid.no_runs": "nenhuma configuração treinada",
    "figures.per_class_iou.title": "IoU por classe e configuração",
    "figures.prediction_rows.image": "imagem",
    "figures.prediction_rows.ground_truth": "rótulo verdadeiro",
    "figures.prediction_rows.title": ("Imagens de validação: rótulo verdadeiro e predição de cada configuração "
                                      "(best.pt)"),
    "figures.confusion.title": "Matriz de confusão",
    "figures.confusion.predicted": "classe prevista",
    "figures.confusion.true": "classe verdadeira",
    "figures.confusion.colorbar": "fração dos pixels da classe verdadeira",
    "figures.options.miou_xlabel": "mIoU(fg) de validação (melhor época)",
    "figures.options.miou_title": "Cada opção, uma mudança",
    "figures.options.iou_title": "IoU por classe",
    "figures.iou.poor": "Ruim",
    "figures.iou.good": "Boa",
    "figures.iou.excellent": "Excelente",
    "figures.iou.truth_box": "A: rótulo verdadeiro",
    "figures.iou.prediction_box": "B: predição",
    "figures.iou.title": "IoU = |A ∩ B| / |A ∪ B|   (1 = sobreposição perfeita, 0 = nenhuma)",
    "figures.diagram.input_224": "imagem\n3×224×224",
    "figures.diagram.backbone": "backbone pré-treinado (camadas convolucionais da CNN)",
    "figures.diagram.classifier_1x1": "classificador\nconv 1×1\nC classes, {size}×{size}",
    "figures.diagram.upsampling": "upsampling\nbilinear\n{source}×{source} → {target}×{target}",
    "figures.diagram.scores": "escores por\npixel\nC×224×224",
    "figures.diagram.title_noskip": ("FCN sem skip connection (FCN-32s): prever em {size}×{size} e ampliar até "
                                     "224×224"),
    "figures.diagram.concatenate": "concatenar\nno eixo dos\ncanais ({size}×{size})",
    "figures.diagram.skip": "skip connection:\nfeatures de {stage} ({size}×{size})\n(com {stage16}: FCN-16s)",
    "figures.diagram.classifier": "classificador\nconvolucional\nC classes",
    "figures.diagram.scores_skip": "escores\npor pixel\nC×224×224",
    "figures.diagram.title_skip": ("FCN com skip connection (estilo FCN-8s): junta o detalhe de {stage} com a "
                                   "semântica de {deepest}"),
    "figures.cnn_to_fcn.image": "imagem\n224×224",
    "figures.cnn_to_fcn.convolutions": "camadas\nconvolucionais\n256×6×6",
    "figures.cnn_to_fcn.flatten": "achatar\n(flatten)\n9216",
    "figures.cnn_to_fcn.one_label": "um rótulo\npor imagem:\n\"ônibus\"",
    "figures.cnn_to_fcn.title_cnn": "CNN de classificação: rotulação esparsa (um rótulo para a imagem inteira)",
    "figures.cnn_to_fcn.image_any": "imagem\nH×W",
    "figures.cnn_to_fcn.same_convolutions": "as mesmas camadas\nconvolucionais\n256×H/32×W/32",
    "figures.cnn_to_fcn.classifier": "classificador\nconvolucional (1×1)\nC×H/32×W/32",
    "figures.cnn_to_fcn.upsampling": "upsampling\nbilinear\nC×H×W",
    "figures.cnn_to_fcn.label_per_pixel": "um rótulo\npor pixel",
    "figures.cnn_to_fcn.title_fcn": "FCN: rotulação densa (as camadas FC viram convoluções)",
    "figures.bilinear.scores": "escores 4×4\n(saída da rede)",
    "figures.bilinear.nearest": "vizinho mais próximo ×{scale}\n(blocos)",
    "figures.bilinear.bilinear": "bilinear ×{scale}\n(transições suaves)",
    "figures.bilinear.colorbar": "escore da classe",
    "figures.bilinear.title": "F.interpolate: ampliando um mapa de escores",
    "figures.checkerboard.bilinear": "kernel bilinear {size}×{size}, stride {stride}",
    "figures.checkerboard.uniform": "kernel 3×3 uniforme, stride 2\n(3 não é múltiplo de 2)",
    "figures.checkerboard.random": "kernel {size}×{size} aleatório, stride {stride}",
    "figures.checkerboard.input": "entrada constante 8×8",
    "figures.checkerboard.panel": "{title}\nmín {low:.2f}, máx {high:.2f}",
    "figures.checkerboard.title": ("Convolução transposta numa imagem constante: o padrão de xadrez "
                                   "(bordas cortadas)"),
    "figures.label_interpolation.original": "rótulo original",
    "figures.label_interpolation.nearest": "vizinho mais próximo (certo)",
    "figures.label_interpolation.bilinear": "bilinear, arredondado (errado;\nnão-classes em cor de void)",
    "figures.label_interpolation.invented": "pixels com índice inventado: {count}",
    "figures.label_interpolation.title": "Redimensionando um rótulo ×{factor:g}: nunca interpole índices de classe",

    # --- notebooks and definitions (definitions, widgets, colab) -----------------------------------------------
    "definitions.cell_name": "célula {number} de {notebook}",
    "definitions.error_at_line": "{error} (linha {line})",
    "definitions.newer_pair": ("Aviso: {newer} foi salvo depois de {older} e os dois diferem; usei {newer}, o mais "
                               "recente. Para sincronizar o par, apague o mais antigo ou rode "
                               "`jupytext --sync {newer}`."),
    "definitions.not_found": ("não encontrei {path} (nem o par .py/.ipynb): ele deve estar na mesma pasta deste "
                              "notebook."),
    "definitions.not_found_in": ("não encontrei {name} (nem o par .py/.ipynb, nem uma cópia como \"Cópia de "
                                 "{name}\") em: {folders}. Ponha os notebooks do curso numa dessas pastas, ou "
                                 "passe o caminho inteiro do arquivo."),
    "definitions.mount_drive": ("No Colab, os seus notebooks ficam no Google Drive: monte-o (rode a célula de "
                                "configuração com {flag} = True, ou from google.colab import drive; "
                                "drive.mount(\"{mount_point}\")) e rode esta célula de novo."),
    "definitions.reading_copy": "Lendo {name} de {path}.",
    "definitions.cells_failed_warning": "Algumas definições de {notebook} deram erro:{problems}",
    "definitions.not_defined": "{notebook} não define {names}.",
    "definitions.where_to_define": ("- `{name}` vem da célula de exercício{exercise} de {notebook}: complete-a "
                                    "(sem mudar o nome), rode-a e salve o notebook."),
    "definitions.found": "Definições encontradas: {found}.",
    "definitions.nothing_found": "nada",
    "definitions.failed_cells": "Estas células deram erro:",
    "widgets.title_image": "imagem",
    "widgets.title_image_with_labels": "imagem + rótulos",
    "widgets.title_true_label": "rótulo verdadeiro",
    "widgets.title_prediction": "predição",
    "widgets.title_errors": "erros (acurácia de pixels {accuracy:.1%})",
    "widgets.legend_correct": "certo",
    "widgets.legend_wrong": "errado",
    "widgets.legend_void": "void (não avaliado)",
    "widgets.control_sample": "amostra",
    "widgets.control_show_labels": "mostrar rótulos",
    "widgets.control_opacity": "opacidade",
    "widgets.control_configuration": "configuração",
    "widgets.sample_title": "amostra {index} / {last}",
    "widgets.sample_title_with_id": "amostra {index} / {last} (id {image_id})",
    "widgets.empty_dataset_browse": "O conjunto de dados está vazio: não há nada para mostrar.",
    "widgets.empty_dataset_predict": "O conjunto de dados está vazio: não há nada para prever.",
    "widgets.no_models": "Nenhum modelo: passe {{'nome': modelo, ...}} ou a pasta de uma grade.",
    "widgets.unknown_configuration": "Configuração desconhecida {name!r}; escolha uma de {choices}.",
    "colab.badge": "Abrir no Colab",
    "colab.setup_comment": ("# Google Colab: instala o curso e (se você quiser) guarda os dados no seu Drive.\n"
                            "# Fora do Colab esta célula não faz nada."),
    "colab.drive_flag_comment": "True: dados do curso em {folder} no seu Google Drive",
    "colab.installed_locally": ("Curso instalado. Os dados ficam no disco temporário do Colab (use {flag} = True "
                                "para guardá-los no seu Google Drive)."),
    "colab.installed_with_drive": "Curso instalado. Dados do curso em {folder} ({data_env}).",
    "colab.install_failed": ("Não consegui instalar o curso de {url} (a mensagem do pip, acima, diz por quê). "
                             "Confira a conexão com a internet e se esse endereço abre no navegador: o Colab "
                             "não instala de um repositório privado. Depois rode esta célula de novo."),

    # --- self-checks (checks/) ---------------------------------------------------------------------------------
    "checks.exercise_title": "Exercício {number} ({title})",
    "checks.passed": "✅ {title}: tudo certo!",
    "checks.failed": "❌ {title}:",
    "checks.finish_first": "Termine o {title} antes de seguir: {stub}",
    "checks.optional_stub": "   (exercício opcional: o resto do notebook roda sem ele; volte a ele quando quiser.)",
    "checks.not_implemented": "ainda não implementado ({hint})",
    "checks.not_implemented_default": "complete o trecho marcado",
    "checks.student_error": "seu código gerou {error_type}: {error}{where}",
    "checks.error_where": " ({where}: `{line}`)",
    "checks.where_loaded_cell": "célula {cell} de {notebook}, linha {line}",
    "checks.where_ipython_cell": "célula [{cell}], linha {line}",
    "checks.where_your_cell": "linha {line} da sua célula",
    "checks.where_file": "{file}, linha {line}",
    "checks.missing_names": ("não encontrei {names} no notebook {notebook}.ipynb (a célula do exercício {number} "
                             "foi apagada, renomeada ou não roda?)."),
    "checks.fcn_unknown_backbone": ("não reconheci o backbone de {name}: use um dos nomes de classe do curso "
                                    "({names}) ou chame check_fcn(..., backbone='alexnet')."),
    "checks.unknown_exercise": "não há exercício {key!r} no curso; os exercícios são: {keys}.",

    # --- exercise titles (the number is added by checks.exercise_title) ----------------------------------------
    "exercise.iou": "IoU e Dice a partir da matriz de confusão",
    "exercise.alexnet-noskip": "FCN-AlexNet sem skip",
    "exercise.alexnet-skip": "FCN-AlexNet com skip",
    "exercise.optimizer": "otimizador: quatro casos pretrained × skip",
    "exercise.loss": "função de perda: entropia cruzada nos pixels achatados",
    "exercise.training": "treino e validação com as suas peças",
    "exercise.upsampler": "upsampling aprendido: ConvTranspose2d iniciada como bilinear",
    "exercise.class-weights": "pesos das classes: balanceamento pela mediana das frequências",
    "exercise.dice-loss": "perda de Dice",
    "exercise.vgg16-noskip": "FCN-VGG16 sem skip",
    "exercise.vgg16-skip": "FCN-VGG16 com skip",
    "exercise.vgg16-scoresum": "FCN-8s do artigo: soma dos escores de pool3, pool4 e pool5",
    "exercise.fcn_extra_backbone": "FCN-{backbone} {skip}",
    "exercise.with_skip": "com skip",
    "exercise.without_skip": "sem skip",

    # --- instructor wing: build, grade, release, site, nbgrader (instructor/) --------------------------------
    # Grading. The statuses themselves are machine values (grade.OK...); these are their labels for people.
    "grade.status_ok": "corrigido",
    "grade.status_invalid": "arquivo inválido",
    "grade.status_timed_out": "tempo esgotado",
    "grade.status_crashed": "erro na correção",
    "grade.timed_out": ("as verificações passaram de {seconds:g} s e foram interrompidas (um laço infinito ou um "
                        "treino dentro de uma definição?)"),
    "grade.child_crashed": "o processo de correção terminou com código {code}: {tail}",
    "grade.report_title": "Relatório de correção: {name}",
    "grade.invalid_heading": "Arquivo inválido",
    "grade.invalid_reason": "Não consegui ler o notebook: {error}",
    "grade.invalid_advice": ("O arquivo está incompleto ou corrompido (um download interrompido?): salve o "
                             "notebook de novo no Jupyter ou no Colab e reenvie."),
    "grade.score_one": "{passed} de {total} exercício correto.",
    "grade.score_many": "{passed} de {total} exercícios corretos.",
    "grade.no_code_exercises": "Este notebook não tem exercícios de código verificados automaticamente.",
    "grade.reflections_score": "Perguntas de reflexão: {answered} de {total} respondidas.",
    "grade.reflection_answered": "Pergunta {number}: {question}",
    "grade.reflection_unanswered": "sem resposta: Pergunta {number}: {question}",
    "grade.timed_out_heading": "Tempo esgotado",
    "grade.checks_unfinished_heading": "As verificações não puderam terminar",
    "grade.cell_errors_heading": "Células com erro",
    "grade.cell_errors_intro": "Estas definições não puderam ser executadas e ficaram de fora da correção:",
    "grade.progress": ("{status:>16}  {passed}/{total} exercícios, {answered}/{questions} respostas  "
                       "{submission}"),
    # The course website.
    "site.objectives_heading": "Ao final deste notebook você consegue",
    "site.course_title": "Segmentação semântica com Fully Convolutional Networks",
    "site.instructor_title_suffix": " (versão do professor)",
    "site.instructor_warning": ("Esta é a versão do professor: as páginas mostram as soluções e a "
                                "[rubrica]({rubric}.md). Publique para os alunos apenas o site sem soluções "
                                "(`python -m fcn_course.instructor site`)."),
    "site.outline_heading": "O curso, notebook por notebook",
    "site.objectives_label": "Ao final você consegue",
    "site.rubric_title": "Rubrica (versão do professor)",
    "site.rubric_intro": ("Cada exercício é corrigido pela verificação automática de `fcn_course.checks` "
                          "(`python -m fcn_course.instructor grade NOTEBOOK`). A comparação do notebook 04 é "
                          "respondida em texto e corrigida à mão."),
    "site.rubric_header": ("| exercício | notebook | o que é verificado | nomes que o notebook define | "
                           "obrigatório |"),
    "site.required_yes": "sim",
    "site.required_no": "não",
}
